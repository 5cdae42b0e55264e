// A specialist analyses the batch's mailboxes, runs the pre-migration pass from the
// Mailboxes page against two real Dovecot servers on loopback, watches the progress,
// runs the final pass, and verifies: everything is at the destination, nothing twice.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { startApp, cli, repo } from './harness.mjs'

let app
let pair
const fill = 300

function startPair() {
  const bin = join(repo, 'build', 'bin', 'dovecot-pair')
  // Built every time (quick when nothing changed): a binary left from an older checkout may lack a flag used here.
  execFileSync('go', ['build', '-o', bin, './backend/internal/testsrv/cmd/dovecot-pair'], { cwd: repo, stdio: 'inherit' })
  const proc = spawn(bin, ['-users', 'alice,bob', '-fill', String(fill), '-folders', 'Entwürfe'], { stdio: ['ignore', 'pipe', 'pipe'] })
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
  pair = await startPair()
  const { source, dest } = pair.info
  app = await startApp({
    seed: async (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'imap',
        '--source', `imap+plain://127.0.0.1:${source.port}`, '--dest', `imap+plain://127.0.0.1:${dest.port}`,
        '--cutover', '2099-05-14 18:00', '--tz', 'America/Toronto')
      for (const u of ['alice', 'bob']) {
        execFileSync(join(repo, 'build', 'bin', 'cutover-web'), ['--db', db, 'batch', 'set', '--project', 'acme', '--source', u, '--dest', u], {
          env: { ...process.env, CUTOVER_SOURCE_PASSWORD: `${u}-secret`, CUTOVER_DEST_PASSWORD: `${u}-secret` },
        })
      }
    },
  })
})

after(async () => {
  await app?.stop()
  if (pair) {
    pair.proc.kill('SIGTERM')
    await new Promise((r) => (pair.proc.exitCode !== null ? r() : pair.proc.on('exit', r)))
  }
})

test('the batch is listed with each mailbox not started', async () => {
  const { page } = app
  await page.goto(`${app.base}/#/p/acme/mailboxes`)
  await page.getByTestId('state-alice').waitFor()
  assert.equal(await page.getByTestId('state-alice').innerText(), 'not started')
  assert.equal(await page.getByTestId('state-bob').innerText(), 'not started')
})

test('analysing shows the folder tree with counts and what each pass would copy', async () => {
  const { page } = app
  await page.getByRole('button', { name: 'Analyse folders' }).click()
  await page.getByRole('button', { name: 'Analyse folders' }).waitFor({ state: 'visible' })
  await page.getByRole('button', { name: 'alice' }).click()
  const tree = page.getByTestId('folders')
  await tree.locator('tr[data-folder="Archive.2024"]').waitFor()
  const total = tree.locator('tr.total-row')
  const cells = await total.locator('td').allInnerTexts()
  assert.equal(cells[2], String(fill), `total messages of alice: ${cells}`)
  const pre = Number(cells[6])
  assert.ok(pre > 0 && pre < fill, `pre pass would copy ${pre} of ${fill}`)
  assert.equal(cells[7], String(fill))
  // The pre pass estimate: an IMAP host to another has no provider quota to wait for.
  const estimate = await tree.getByTestId('estimate').innerText()
  assert.match(estimate, new RegExp(`^Pre pass: ${pre} messages, .*no provider limit holds it back`), estimate)
  const sub = await tree.locator('tr[data-folder="Archive.2024"] td').first().innerText()
  assert.equal(sub, '2024', 'a subfolder shows under its parent by its own name')
  await tree.getByRole('button', { name: 'Show mapping' }).click()
  const mapping = page.getByTestId('mapping')
  await mapping.getByText('special-use \\Sent').waitFor()
  assert.match(await mapping.innerText(), /Archive\.2024\s+Archive\/2024/)
  // The source has its own Drafts (\Drafts): the user's Entwürfe is not merged into it by its name, and the page says why.
  const kept = mapping.locator('tr[data-source="Entwürfe"]')
  await kept.getByText('Drafts at the source has \\Drafts; Entwürfe keeps its name').waitFor()
  assert.match(await kept.innerText(), /^Entwürfe\s+Entwürfe\b/)
  await kept.getByText('kept apart').waitFor()
  await app.shot('mailboxes-folders')
  // Only a rule merges, and both folders of the merge say so, naming the rule.
  await mapping.getByLabel('Folder pattern').fill('Entwürfe')
  await mapping.getByLabel('Rule action').selectOption('rename')
  await mapping.getByLabel('Rename target').fill('Drafts')
  await mapping.getByRole('button', { name: 'Add rule' }).click()
  await kept.getByText('rule Entwürfe; merged with Drafts by rule Entwürfe').waitFor()
  await kept.getByText('merged', { exact: true }).waitFor()
  const drafts = mapping.locator('tr[data-source="Drafts"]')
  await drafts.getByText('special-use \\Drafts; merged with Entwürfe by rule Entwürfe').waitFor()
  await drafts.getByText('merged', { exact: true }).waitFor()
  await app.shot('mailboxes-folders-merged')
})

test('the pre pass runs with progress numbers and ends done', async () => {
  const { page } = app
  await page.getByRole('button', { name: /Start pre pass/ }).click()
  await page.getByTestId('progress-alice').waitFor()
  await app.shot('mailboxes-pre-started') // while it runs, or just after: for a person to look at
  for (const u of ['alice', 'bob']) {
    await page.locator(`[data-testid=state-${u}]`, { hasText: 'done' }).waitFor({ timeout: 60000 })
  }
  const label = await page.getByTestId('progress-alice').innerText()
  const m = label.match(/(\d+) \/ (\d+) msgs/)
  assert.ok(m, `progress label ${label}`)
  assert.equal(m[1], m[2], 'every message in scope copied')
  assert.ok(Number(m[1]) > 0 && Number(m[1]) < fill)
  // The pass's totals, as the backend published them, add up the two mailboxes.
  const bob = (await page.getByTestId('progress-bob').innerText()).match(/(\d+) \/ (\d+) msgs/)
  const totals = await page.getByTestId('totals').innerText()
  assert.match(totals, new RegExp(`^${Number(m[1]) + Number(bob[1])} / ${Number(m[2]) + Number(bob[2])} messages`), `totals ${totals}`)
  await app.shot('mailboxes-pre')
})

test('the final pass copies the rest and verification finds nothing missing', async () => {
  const { page } = app
  await page.getByLabel('Pass', { exact: true }).selectOption('final')
  await page.getByRole('button', { name: /Start final pass/ }).click()
  for (const u of ['alice', 'bob']) {
    await page.locator(`[data-testid=state-${u}]`, { hasText: 'final · done' }).waitFor({ timeout: 60000 })
  }
  // The app says the pass ended, and how, wherever the user is.
  await page.getByTestId('notices').getByText(/^acme: final pass done — \d+ copied/).waitFor()
  await page.getByRole('button', { name: 'Verify' }).click()
  const v = page.getByTestId('verification')
  await v.waitFor()
  assert.match(await v.textContent(), /alice: complete/)
  assert.match(await v.textContent(), /bob: complete/)
  // The command line agrees, and exits 0 only because nothing is missing.
  const checks = JSON.parse(cli(app.db, '--json', 'verify', '--project', 'acme'))
  for (const c of checks) {
    assert.equal(c.complete, true)
    const src = c.folders.reduce((a, f) => a + f.sourceMessages, 0)
    const dst = c.folders.reduce((a, f) => a + f.destMessages, 0)
    assert.equal(src, fill)
    assert.equal(dst, fill, 'no message twice at the destination')
  }
  assert.deepEqual(app.pageErrors, [])
  await app.shot('mailboxes-verified')
})

test('sweeps start after the final pass, say until when, and stop in one click', async () => {
  const { page } = app
  const box = page.getByTestId('sweeps')
  await box.getByRole('button', { name: 'Start sweeps' }).click()
  // The switch is the project's cutover time (no DNS change was applied): 72 hours after it.
  await box.getByTestId('sweep-text').filter({ hasText: /^sweeping until Sun 18:00$/ }).waitFor()
  assert.match(await box.innerText(), /every 30 minutes for 12 hours after the switch/)
  const status = JSON.parse(cli(app.db, '--json', 'sweep', 'status', '--project', 'acme'))
  assert.equal(status.active, true)
  // The day at a glance: the final pass per mailbox and the sweeps, with what is left.
  await page.getByRole('tab', { name: 'Cutover day' }).click()
  const day = page.getByTestId('cutover-day')
  await day.getByTestId('day-sweeps').filter({ hasText: /^sweeping until Sun 18:00/ }).waitFor()
  const finals = await day.getByTestId('day-final').innerText()
  assert.match(finals, /alice\s+done\s+\d+ \/ \d+/)
  assert.match(finals, /bob\s+done/)
  assert.match(await day.getByTestId('day-left').innerText(), /DNS record changes/)
  await app.shot('cutover-day')
  await page.getByRole('tab', { name: 'Mailboxes' }).click()
  await box.getByRole('button', { name: 'Stop sweeps' }).click()
  await box.getByTestId('sweep-text').filter({ hasText: /^sweeps stopped/ }).waitFor()
  assert.deepEqual(app.pageErrors, [])
})

test('administrator access is saved per server, with bad input named', async () => {
  const { page } = app
  const box = page.getByTestId('admins')
  await box.getByRole('button', { name: 'Save' }).click()
  await box.getByText('expected the administrator').waitFor()
  await box.getByLabel('Administrator login').fill('admin')
  await box.getByLabel('Login form').selectOption('dovecot-master')
  await box.getByLabel('Administrator password').fill('admin-secret')
  await box.getByRole('button', { name: 'Save' }).click()
  await box.getByText('Source administrator saved.').waitFor()
  assert.match(await box.innerText(), /Source: admin \(dovecot-master\)/)
  assert.doesNotMatch(await page.content(), /admin-secret/)
})
