// An administrator detects the users of the old Dovecot server from the People page
// instead of filling in the users sheet: sets up the server's doveadm HTTP API (address
// and API key, sealed), clicks "Detect users", sees the same preview as a sheet's (every
// record with what an import would do, a bad login on its row), imports the valid
// records, and a second detection says everything is unchanged and imports nothing twice.
// The server is a real Dovecot on loopback with its doveadm HTTP API enabled.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { startApp, cli, repo } from './harness.mjs'

let app
let dovecot
const key = 'Doveadm-Key-5521'

function startDovecot() {
  const bin = join(repo, 'build', 'bin', 'dovecot-pair')
  execFileSync('go', ['build', '-o', bin, './backend/internal/testsrv/cmd/dovecot-pair'], { cwd: repo, stdio: 'inherit' })
  const proc = spawn(bin, ['-users', 'alice@acme.example,bob,x@@bad', '-doveadm-key', key], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((ok, fail) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => fail(new Error(`dovecot-pair did not start: ${err}`)), 60000)
    proc.stderr.on('data', (d) => {
      err += d
      if (err.includes('ready')) {
        clearTimeout(timer)
        ok({ proc, info: JSON.parse(out) })
      }
    })
    proc.stdout.on('data', (d) => (out += d))
    proc.on('exit', (code) => fail(new Error(`dovecot-pair exited ${code}: ${err} (is dovecot-imapd installed? scripts/test.sh installs it)`)))
  })
}

before(async () => {
  dovecot = await startDovecot()
  app = await startApp({
    seed: (db) =>
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'm365', '--source', 'imaps://mail.old.example',
        '--dest', 'imaps://outlook.office365.com', '--cutover', '2099-05-14 18:00', '--tz', 'UTC'),
  })
  await app.page.goto(`${app.base}/#/p/acme/people`)
})

after(async () => {
  await app?.stop()
  if (dovecot) {
    dovecot.proc.kill('SIGTERM')
    await new Promise((r) => (dovecot.proc.exitCode !== null ? r() : dovecot.proc.on('exit', r)))
  }
})

test('detect previews the server users like a sheet, a bad login on its row, nothing stored', async () => {
  const { page } = app
  const url = `http://127.0.0.1:${dovecot.info.source.doveadmPort}`
  await page.getByRole('heading', { name: 'Detect users at the source' }).waitFor()
  await page.getByLabel('Directory source').selectOption('doveadm')
  await page.getByLabel('API address').fill(url)
  await page.getByLabel('API token').fill(key)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('saved, token sealed').waitFor()
  await page.getByRole('button', { name: 'Detect users' }).click()
  const summary = page.getByTestId('detect-users-summary')
  await summary.waitFor()
  assert.match(await summary.innerText(), /3 rows: 2 to add, 0 to update, 0 unchanged, 1 with errors · 1 error, 0 warnings/)
  const bad = page.locator('[data-testid=detect-users-rows] tr.bad')
  assert.equal(await bad.count(), 1)
  assert.match(await bad.innerText(), /invalid address “x@@bad”; expected an email address such as alice@example.com/)
  // bob has no domain at the server: he gets the project's.
  assert.match(await page.getByTestId('detect-users-rows').innerText(), /bob@acme\.example\s+bob/)
  assert.ok(await page.getByRole('button', { name: 'Import what was found' }).isDisabled())
  assert.doesNotMatch(await page.content(), new RegExp(key))
  assert.equal(JSON.parse(cli(app.db, '--json', 'people', 'users', '--project', 'acme')).length, 0)
  await app.shot('people-detect-preview')
})

test('importing the valid records stores them and fills the batch', async () => {
  const { page } = app
  await page.getByLabel('Skip records with errors').check()
  await page.getByRole('button', { name: 'Import the valid records' }).click()
  const done = page.getByTestId('detect-result')
  await done.waitFor()
  assert.match(await done.innerText(), /users 2 added, 0 updated, 0 unchanged .* · 1 skipped/)
  await page.locator('[data-testid=users] tbody tr', { hasText: 'bob@acme.example' }).waitFor()
  const users = JSON.parse(cli(app.db, '--json', 'people', 'users', '--project', 'acme'))
  assert.deepEqual(users.map((u) => [u.address, u.sourceLogin]), [['alice@acme.example', 'alice@acme.example'], ['bob@acme.example', 'bob']])
  const batch = JSON.parse(cli(app.db, '--json', 'batch', 'list', '--project', 'acme'))
  assert.equal(batch.length, 2)
})

test('detecting again finds everything unchanged and imports nothing twice', async () => {
  const { page } = app
  await page.getByRole('button', { name: 'Detect users' }).click()
  const summary = page.getByTestId('detect-users-summary')
  await summary.waitFor()
  assert.match(await summary.innerText(), /3 rows: 0 to add, 0 to update, 2 unchanged, 1 with errors/)
  await page.getByRole('button', { name: 'Import the valid records' }).click()
  const done = page.getByTestId('detect-result')
  await done.waitFor()
  assert.match(await done.innerText(), /users 0 added, 0 updated, 2 unchanged/)
  assert.equal(JSON.parse(cli(app.db, '--json', 'people', 'users', '--project', 'acme')).length, 2)
  assert.equal(JSON.parse(cli(app.db, '--json', 'batch', 'list', '--project', 'acme')).length, 2)
  assert.deepEqual(app.pageErrors, [])
})
