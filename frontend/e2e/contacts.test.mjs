// A specialist whose old host has no CalDAV/CardDAV drops a user's exported contacts and
// calendar on the Mailboxes page: they arrive in a real Radicale server (the destination),
// the Contacts and Calendars columns count them, and a broken file is named with its line.
// A pass from one Radicale account to another shows each class's progress while it runs:
// a gate in front of the destination holds its writes until the test has looked.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApp, startGoHelper, cli, repo } from './harness.mjs'

let app
let radicale
let gate

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

// Radicale (Debian package radicale, scripts/test.sh installs it) on a loopback port.
async function startRadicale() {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-radicale-'))
  const port = await freePort()
  writeFileSync(join(dir, 'users'), 'alice:alice-secret\nbob:bob-secret\ncarol:carol-secret\n')
  writeFileSync(join(dir, 'config'), `[server]\nhosts = 127.0.0.1:${port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = ${dir}/users\nhtpasswd_encryption = plain\ndelay = 0\n[rights]\ntype = owner_only\n[storage]\nfilesystem_folder = ${dir}/collections\n[web]\ntype = none\n[logging]\nlevel = info\n`)
  const proc = spawn('/usr/bin/python3', ['-m', 'radicale', '--config', join(dir, 'config')], { stdio: ['ignore', 'ignore', 'pipe'] })
  const url = `http://127.0.0.1:${port}/`
  // Ready once Radicale says so on standard error (after it listens).
  let log = ''
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('radicale did not say it was ready in 20 s: ' + log.slice(-500))), 20000)
    proc.stderr.on('data', (d) => {
      log = (log + d).slice(-4000)
      if (log.includes('Radicale server ready')) {
        clearTimeout(timer)
        ok()
      }
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`radicale exited ${code} (is the Debian package radicale installed? scripts/test.sh installs it): ${log.slice(-500)}`))
    })
  })
  return { proc, url, dir }
}

before(async () => {
  radicale = await startRadicale()
  // The calendar's events are PUT at the destination through the gate: the first goes
  // through, the others wait for the test.
  gate = await startGoHelper('./backend/pim/pimtest/cmd/davgate', ['-target', radicale.url, '-hold', '.ics', '-pass', '1'])
  const fixtures = join(repo, 'backend', 'pim', 'testdata')
  const passwords = (source, dest) => {
    process.env.CUTOVER_SOURCE_PASSWORD = source
    process.env.CUTOVER_DEST_PASSWORD = dest
  }
  app = await startApp({
    seed: async (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'imap', '--cutover', '2099-05-14 18:00', '--tz', 'UTC')
      passwords('alice-secret', 'alice-secret')
      cli(db, 'batch', 'set', '--project', 'acme', '--source', 'alice', '--dest', 'alice')
      cli(db, 'pim', 'set', '--project', 'acme', '--dest-url', radicale.url)
      // bob's old account (2 contacts, 3 events), filled by importing files into it.
      cli(db, 'project', 'create', '--name', 'seed', '--domain', 'seed.example', '--provider', 'imap', '--cutover', '2099-05-14 18:00', '--tz', 'UTC')
      passwords('bob-secret', 'bob-secret')
      cli(db, 'batch', 'set', '--project', 'seed', '--source', 'bob', '--dest', 'bob')
      cli(db, 'pim', 'set', '--project', 'seed', '--dest-url', radicale.url)
      cli(db, 'pim', 'import', '--project', 'seed', '--mailbox', 'bob', '--file', join(fixtures, 'outlook-contacts.vcf'), '--file', join(fixtures, 'outlook-calendar.ics'))
      // beta moves bob's contacts and calendars to carol's account, through the gate.
      cli(db, 'project', 'create', '--name', 'beta', '--domain', 'beta.example', '--provider', 'imap', '--cutover', '2099-05-14 18:00', '--tz', 'UTC')
      passwords('bob-secret', 'carol-secret')
      cli(db, 'batch', 'set', '--project', 'beta', '--source', 'bob', '--dest', 'carol')
      cli(db, 'pim', 'set', '--project', 'beta', '--source-url', radicale.url, '--dest-url', gate.info.url)
    },
  })
})

after(async () => {
  await app?.stop()
  await gate?.stop()
  if (radicale) {
    radicale.proc.kill('SIGTERM')
    await new Promise((r) => (radicale.proc.exitCode !== null ? r() : radicale.proc.on('exit', r)))
    rmSync(radicale.dir, { recursive: true, force: true })
  }
})

test('dropped .vcf and .ics files reach the destination and are counted per mailbox', async () => {
  const { page } = app
  await page.goto(`${app.base}/#/p/acme/mailboxes`)
  const card = page.getByTestId('pim-files')
  await card.waitFor()
  const fixtures = join(repo, 'backend', 'pim', 'testdata')
  await card.getByLabel('Files', { exact: true }).setInputFiles([join(fixtures, 'outlook-contacts.vcf'), join(fixtures, 'outlook-calendar.ics')])
  await card.getByTestId('pim-files-result').waitFor()
  assert.equal(await card.getByTestId('pim-files-result').innerText(), '5 copied, 0 updated, 0 already there, 0 refused')
  await page.getByTestId('calendars-alice').locator('.count', { hasText: /^3$/ }).waitFor() // the calendar's 3 events
  assert.equal(await page.getByTestId('contacts-alice').locator('.count').innerText(), '2')
  assert.equal(await page.getByTestId('calendars-alice').getByText(/^import/).innerText(), 'import 3 / 3')
  await app.shot('contacts-files')
})

test('an item the destination refuses is listed with the reason the server gave', async () => {
  const { page } = app
  const card = page.getByTestId('pim-files')
  const odd = join(app.dir, 'odd.ics')
  writeFileSync(odd, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VEVENT\r\nUID:odd-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nRRULE:FREQ=SOMETIMES\r\nSUMMARY:Whenever\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n')
  await card.getByLabel('Files', { exact: true }).setInputFiles(odd)
  await card.getByText('0 copied, 0 updated, 0 already there, 1 refused').waitFor()
  const refusals = page.getByTestId('pim-refusals')
  await refusals.waitFor()
  const text = await refusals.innerText()
  assert.match(text, /Whenever/)
  assert.match(text, /400|Bad Request/)
})

test('a broken file is named with its line, nothing copied', async () => {
  const { page } = app
  const card = page.getByTestId('pim-files')
  const bad = join(app.dir, 'broken.ics')
  writeFileSync(bad, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:no end\r\n')
  await card.getByLabel('Files', { exact: true }).setInputFiles(bad)
  const alert = card.getByRole('alert')
  await alert.waitFor()
  assert.match(await alert.innerText(), /broken\.ics line \d+/)
  assert.deepEqual(app.pageErrors, [])
})

test('a pass shows each mailbox\'s contacts and calendars done of total while it copies them, and after', async () => {
  const { page } = app
  await page.goto(`${app.base}/#/p/beta/mailboxes`)
  await page.getByTestId('mailboxes').locator('tr', { hasText: 'bob' }).waitFor()
  await page.getByLabel('Pass', { exact: true }).selectOption('final')
  await page.getByRole('button', { name: 'Start final pass' }).click()
  // The first event reached carol's calendar; the other two wait at the gate.
  await (await fetch(`${gate.info.held}?n=2`)).json()
  const calendars = page.getByTestId('calendars-bob')
  await calendars.getByText(/^1 \/ 3( so far)?$/).waitFor()
  assert.match(await page.getByTestId('pim-now-bob').innerText(), /^Contacts, calendars, tasks: “outlook-calendar” \(collection [12] of 2\)$/)
  await page.getByRole('button', { name: 'Stop' }).waitFor() // the pass is under way
  assert.equal(await page.getByTestId('state-bob').innerText(), 'final · copying')
  await app.shot('pim-progress-during')

  await fetch(gate.info.release, { method: 'POST' })
  await calendars.getByText('final 3 / 3').waitFor()
  await calendars.locator('.count', { hasText: /^3$/ }).waitFor()
  const contacts = page.getByTestId('contacts-bob')
  assert.equal(await contacts.getByText(/^final/).innerText(), 'final 2 / 2')
  await contacts.locator('.count', { hasText: /^2$/ }).waitFor()
  assert.equal(await page.getByTestId('pim-now-bob').count(), 0)
  await page.getByRole('button', { name: 'Start final pass' }).waitFor() // over: a pass may start again
  assert.equal(await page.getByTestId('state-bob').innerText(), 'final · done')
  await app.shot('pim-progress-after')
  assert.deepEqual(app.pageErrors, [])
})
