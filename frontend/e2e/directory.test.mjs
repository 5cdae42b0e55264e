// An administrator detects the users of the old Dovecot server from the People page
// instead of filling in the users sheet: sets up the server's doveadm HTTP API (address
// and API key, sealed), clicks "Detect users", sees the same preview as a sheet's (every
// record with what an import would do, a bad login on its row), imports the valid
// records, and a second detection says everything is unchanged and imports nothing twice.
// Then creates them in the Microsoft 365 destination: a dry run, the licence chosen from
// the tenant's, create, and a second dry run finding them there.
// The server is a real Dovecot on loopback with its doveadm HTTP API enabled; the
// destination is the Graph fake (fakegraph) checking every request's shape.
// Last, a users sheet gives alice an alias and adds a shared mailbox: the users table
// shows both, and the dry run leaves them to the Exchange script (no licence for it).
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { startApp, startGoHelper, cli, repo } from './harness.mjs'

let app
let dovecot
let graph
const key = 'Doveadm-Key-5521'

before(async () => {
  dovecot = await startGoHelper('./backend/internal/testsrv/cmd/dovecot-pair', ['-users', 'alice@acme.example,bob,x@@bad', '-doveadm-key', key], { ready: true })
  graph = await startGoHelper('./backend/directory/directorytest/cmd/fakegraph', ['-domain', 'acme.example'])
  const g = graph.info
  app = await startApp({
    seed: (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'm365', '--source', 'imaps://mail.old.example',
        '--dest', 'imaps://outlook.office365.com', '--cutover', '2099-05-14 18:00', '--tz', 'UTC')
      execFileSync(join(repo, 'build', 'bin', 'cutover-web'), ['--db', db, 'signin', 'set', '--project', 'acme', '--side', 'dest', '--method', 'microsoft-app',
        '--client-id', g.clientId, '--client-secret', '--idp-url', g.idp], { env: { ...process.env, CUTOVER_CLIENT_SECRET: g.clientSecret } })
      cli(db, 'people', 'directory', 'set', '--project', 'acme', '--side', 'dest', '--from', 'graph', '--url', g.graph)
    },
  })
  await app.page.goto(`${app.base}/#/p/acme/people`)
})

after(async () => {
  await app?.stop()
  await graph?.stop()
  await dovecot?.stop()
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

test('the users are created at the destination: dry run, licence, create, and a second dry run finds them', async () => {
  const { page } = app
  const creator = page.getByTestId('creator')
  await creator.getByRole('button', { name: 'Dry run' }).click()
  const summary = page.getByTestId('create-summary')
  await summary.waitFor()
  assert.match(await summary.innerText(), /Dry run, nothing created: 2 will be created · 2 initial passwords generated/)
  assert.equal(await page.locator('[data-testid=create-rows] tbody tr').count(), 2)
  await page.getByLabel('Licence').selectOption('O365_BUSINESS_PREMIUM')
  await page.getByLabel('Usage location').fill('FR')
  await creator.getByRole('button', { name: 'Create', exact: true }).click()
  await page.getByText(/Done: 2 created/).waitFor()
  assert.match(await summary.innerText(), /2 initial passwords generated \(sealed in the batch\)/)
  const batch = JSON.parse(cli(app.db, '--json', 'batch', 'list', '--project', 'acme'))
  assert.deepEqual(batch.map((b) => b.hasDestPassword), [true, true])
  await app.shot('people-create')
  await creator.getByRole('button', { name: 'Dry run' }).click()
  await page.getByText(/Dry run, nothing created: 2 exists \(left alone\)/).waitFor()
  assert.equal(graph.stderr(), '', 'the Graph fake saw requests off the documented shape')
  assert.deepEqual(app.pageErrors, [])
})

test('aliases and a shared mailbox from a sheet show in the users table and are left to the Exchange script', async () => {
  const { page } = app
  const sheet = join(tmpdir(), `cutover-e2e-aliases-${process.pid}.csv`)
  writeFileSync(sheet, 'Email address,Display name,Aliases,Shared mailbox\r\nalice@acme.example,alice,a.martin@acme.example; contact@acme.example,no\r\ninfo@acme.example,Info desk,hello@acme.example,yes\r\n')
  cli(app.db, 'import', 'users', sheet, '--project', 'acme')
  rmSync(sheet)
  await page.reload()
  const users = page.getByTestId('users')
  const info = users.locator('tbody tr', { hasText: 'info@acme.example' })
  await info.waitFor()
  assert.equal(await info.getByTestId('shared-badge').count(), 1)
  assert.match(await info.innerText(), /hello@acme\.example/)
  const alice = users.locator('tbody tr', { hasText: 'alice@acme.example' })
  assert.match(await alice.innerText(), /a\.martin@acme\.example; contact@acme\.example/)
  assert.equal(await alice.getByTestId('shared-badge').count(), 0)

  const creator = page.getByTestId('creator')
  await creator.getByRole('button', { name: 'Dry run' }).click()
  const rows = page.getByTestId('create-rows')
  const infoRow = rows.locator('tbody tr', { hasText: 'info@acme.example' })
  await infoRow.waitFor()
  assert.match(await infoRow.innerText(), /users \(shared mailbox\)[\s\S]*by the Exchange script[\s\S]*hello@acme\.example[\s\S]*Graph cannot create shared mailboxes/i)
  const aliceRow = rows.locator('tbody tr', { hasText: 'alice@acme.example' })
  assert.match(await aliceRow.innerText(), /exists \(left alone\)[\s\S]*a\.martin@acme\.example; contact@acme\.example[\s\S]*the Exchange script adds/i)
  await app.shot('people-create-aliases-shared')
  assert.equal(graph.stderr(), '', 'the Graph fake saw requests off the documented shape')
  assert.deepEqual(app.pageErrors, [])
})
