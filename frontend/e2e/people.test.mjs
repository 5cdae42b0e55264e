// A specialist imports a users sheet with mistakes in the browser: the preview lists each
// bad row with its message before anything is stored; the good rows are imported, the
// batch fills up with passwords masked, and templates download.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startApp, cli } from './harness.mjs'

let app
before(async () => {
  app = await startApp({
    seed: (db) =>
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'm365', '--source', 'imaps://mail.old.example',
        '--dest', 'imaps://outlook.office365.com', '--cutover', '2099-05-14 18:00', '--tz', 'UTC'),
  })
  await app.page.goto(`${app.base}/#/p/acme/people`)
})
after(async () => {
  await app?.stop()
})

test('a sheet with errors is previewed with each bad row and its message, nothing stored', async () => {
  const { page } = app
  const file = join(app.dir, 'staff.csv')
  writeFileSync(
    file,
    'Email address;First name;Source login;Source password;Badge\r\n' +
      'alice@acme.example;Alice;alice;Sup3r-Secret-A;1\r\n' +
      'bob(at)acme.example;Bob;bob;;2\r\n' +
      'carol@acme.example;Carol;alice;;3\r\n' +
      'dave@acme.example;Dave;dave;;4\r\n',
  )
  await page.getByRole('heading', { name: 'Import a spreadsheet' }).waitFor()
  await page.setInputFiles('input[aria-label="Spreadsheet file"]', file)
  const summary = page.getByTestId('preview-summary')
  await summary.waitFor()
  assert.equal(await page.getByTestId('layout').innerText(), 'Cutover users template')
  assert.match(await summary.innerText(), /4 rows: 2 to add, 0 to update, 0 unchanged, 2 with errors · 2 errors, 1 warning/)
  const bad = page.locator('[data-testid=preview-rows] tr.bad')
  assert.equal(await bad.count(), 2)
  assert.match(await bad.nth(0).innerText(), /column A \(Email address\): invalid address “bob\(at\)acme.example”; expected an email address such as alice@example.com/)
  assert.match(await bad.nth(1).innerText(), /column C \(Source login\): duplicate source login, already on row 2 “alice”/)
  assert.match(await page.getByTestId('preview').innerText(), /Row 1, column E \(Badge\): unknown column, ignored “Badge”/)
  // The password typed in the sheet is never shown.
  assert.doesNotMatch(await page.content(), /Sup3r-Secret-A/)
  assert.ok(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled())
  assert.equal(JSON.parse(cli(app.db, '--json', 'people', 'users', '--project', 'acme')).length, 0)
  await app.shot('people-preview')
})

test('importing the valid rows stores them and fills the batch with masked passwords', async () => {
  const { page } = app
  await page.getByLabel('Skip rows with errors').check()
  await page.getByRole('button', { name: 'Import 2 valid rows' }).click()
  const done = page.getByTestId('import-result')
  await done.waitFor()
  assert.match(await done.innerText(), /2 added, 0 updated, 0 unchanged, 2 skipped/)
  await page.locator('[data-testid=users] tbody tr', { hasText: 'dave@acme.example' }).waitFor()
  assert.equal(await page.locator('[data-testid=users] tbody tr').count(), 2)
  const users = JSON.parse(cli(app.db, '--json', 'people', 'users', '--project', 'acme'))
  assert.deepEqual(users.map((u) => u.address), ['alice@acme.example', 'dave@acme.example'])

  await page.getByRole('tab', { name: /Migration batch/ }).click()
  const alice = page.locator('[data-testid=batch] tbody tr', { hasText: 'alice@acme.example' })
  await alice.waitFor()
  assert.match(await alice.innerText(), /alice\s+alice@acme.example\s+Alice\s+••••••/)
  assert.doesNotMatch(await page.content(), /Sup3r-Secret-A/)
  await app.shot('people-batch')
})

test('the batch is editable: add, disable and remove an entry', async () => {
  const { page } = app
  await page.getByLabel('Source login', { exact: true }).fill('erin.old')
  await page.getByLabel('Destination mailbox').fill('erin@acme.example')
  await page.getByLabel('Source password', { exact: true }).fill('pw-erin')
  await page.getByRole('button', { name: 'Add to batch' }).click()
  const erin = page.locator('[data-testid=batch] tbody tr', { hasText: 'erin.old' })
  await erin.waitFor()
  await erin.getByRole('button', { name: 'Disable' }).click()
  await page.locator('[data-testid=batch] tbody tr.disabled', { hasText: 'erin.old' }).waitFor()
  let batch = JSON.parse(cli(app.db, '--json', 'batch', 'list', '--project', 'acme'))
  const e = batch.find((b) => b.sourceLogin === 'erin.old')
  assert.equal(e.enabled, false)
  assert.equal(e.hasSourcePassword, true)
  page.once('dialog', (d) => d.accept())
  await erin.getByRole('button', { name: 'Remove erin.old' }).click()
  await erin.waitFor({ state: 'detached' })
  batch = JSON.parse(cli(app.db, '--json', 'batch', 'list', '--project', 'acme'))
  assert.equal(batch.length, 2)
})

test('a file that is not a spreadsheet gets a clear error', async () => {
  const { page } = app
  const file = join(app.dir, 'photo.xlsx')
  writeFileSync(file, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))
  await page.setInputFiles('input[aria-label="Spreadsheet file"]', file)
  const err = page.getByTestId('importer').getByRole('alert')
  await err.waitFor()
  assert.match(await err.innerText(), /photo.xlsx: the file is named .xlsx but its content is not an xlsx workbook/)
})

test('templates and exports download', async () => {
  const { page } = app
  const [tmpl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'users.xlsx' }).click()])
  assert.equal(tmpl.suggestedFilename(), 'acme-users-template.xlsx')
  await page.getByRole('tab', { name: /Users/ }).click()
  const [exp] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'csv', exact: true }).click()])
  assert.equal(exp.suggestedFilename(), 'acme-users.csv')
  const [m365] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Provisioning file').selectOption('m365')])
  assert.equal(m365.suggestedFilename(), 'acme-m365-users.csv')
})

test('a groups sheet naming an unknown member lists that row; removing a user asks first', async () => {
  const { page } = app
  const text = 'Group name,Group address,Members\nSales,sales@acme.example,"alice@acme.example; ghost@acme.example"\nAll,all@acme.example,dave@acme.example\n'
  await page.getByLabel('Sheet lists').selectOption('groups')
  // Dropped on the drop zone, as from a file manager.
  const dt = await page.evaluateHandle((t) => {
    const dt = new DataTransfer()
    dt.items.add(new File([t], 'groups.csv', { type: 'text/csv' }))
    return dt
  }, text)
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: dt })
  await page.getByTestId('preview-summary').waitFor()
  assert.equal(await page.getByTestId('layout').innerText(), 'Cutover groups template')
  const bad = page.locator('[data-testid=preview-rows] tr.bad')
  assert.equal(await bad.count(), 1)
  assert.match(await bad.innerText(), /column C \(Members\): member is neither a user, a group nor a contact of the project “ghost@acme.example”/)
  await page.getByRole('button', { name: 'Cancel' }).click()

  await page.getByRole('tab', { name: /Users/ }).click()
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Remove dave@acme.example' }).click()
  await page.locator('[data-testid=users] tbody tr', { hasText: 'dave@acme.example' }).waitFor({ state: 'detached' })
  assert.equal(JSON.parse(cli(app.db, '--json', 'people', 'users', '--project', 'acme')).length, 1)
})
