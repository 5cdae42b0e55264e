// A specialist whose old host has no CalDAV/CardDAV drops a user's exported contacts and
// calendar on the Mailboxes page: they arrive in a real Radicale server (the destination),
// the Contacts and Calendars columns count them, and a broken file is named with its line.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApp, cli, repo } from './harness.mjs'

let app
let radicale

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
  writeFileSync(join(dir, 'users'), 'alice:alice-secret\n')
  writeFileSync(join(dir, 'config'), `[server]\nhosts = 127.0.0.1:${port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = ${dir}/users\nhtpasswd_encryption = plain\ndelay = 0\n[rights]\ntype = owner_only\n[storage]\nfilesystem_folder = ${dir}/collections\n[web]\ntype = none\n`)
  const proc = spawn('/usr/bin/python3', ['-m', 'radicale', '--config', join(dir, 'config')], { stdio: 'ignore' })
  const url = `http://127.0.0.1:${port}/`
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url + '.well-known/caldav', { redirect: 'manual' })
      return { proc, url, dir }
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  proc.kill('SIGTERM')
  throw new Error('radicale did not start (is the Debian package radicale installed? scripts/test.sh installs it)')
}

before(async () => {
  radicale = await startRadicale()
  app = await startApp({
    seed: async (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'imap', '--cutover', '2099-05-14 18:00', '--tz', 'UTC')
      process.env.CUTOVER_SOURCE_PASSWORD = 'alice-secret'
      process.env.CUTOVER_DEST_PASSWORD = 'alice-secret'
      cli(db, 'batch', 'set', '--project', 'acme', '--source', 'alice', '--dest', 'alice')
      cli(db, 'pim', 'set', '--project', 'acme', '--dest-url', radicale.url)
    },
  })
})

after(async () => {
  await app?.stop()
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
  const row = page.getByTestId('mailboxes').locator('tr', { hasText: 'alice' })
  await row.locator('td', { hasText: /^3$/ }).first().waitFor() // the calendar's 3 events
  const cells = await row.locator('td').allInnerTexts()
  assert.ok(cells.includes('2') && cells.includes('3'), `contacts 2 and calendars 3 in ${cells}`)
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
