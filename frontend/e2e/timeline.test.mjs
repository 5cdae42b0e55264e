// A specialist creates a project in the browser, sees its timeline, marks a step done
// and logs a contact; bad input is shown next to the field.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { startApp, cli } from './harness.mjs'

let app
before(async () => {
  app = await startApp()
})
after(async () => {
  await app?.stop()
})

test('creating a project with bad fields shows each error next to its field', async () => {
  const { page } = app
  await page.getByRole('heading', { name: 'New project' }).waitFor()
  await page.fill('input[name=name]', 'acme')
  await page.fill('input[name=domains]', 'acme.example')
  await page.fill('input[name=cutover]', '2001-05-14T18:00')
  await page.fill('input[name=tz]', 'Mars/Olympus')
  await page.getByRole('button', { name: 'Create project' }).click()
  const tzError = page.locator('.field.has-error', { hasText: 'Time zone' })
  await tzError.waitFor()
  assert.match(await tzError.innerText(), /expected an IANA time zone/)
})

test('creating a project opens its timeline with four phases and the cutover step', async () => {
  const { page } = app
  await page.fill('input[name=tz]', 'America/Toronto')
  await page.fill('input[name=cutover]', '2099-05-14T18:00')
  await page.fill('input[name=customer]', 'Acme Plumbing')
  await page.getByRole('button', { name: 'Create project' }).click()
  await page.getByRole('heading', { name: 'Acme Plumbing' }).waitFor()
  for (const phase of ['preparation', 'pre_migration', 'cutover', 'post_migration']) {
    await page.getByTestId(`phase-${phase}`).waitFor()
  }
  const dns = page.locator('tr[data-step=dns_change]')
  assert.match(await dns.innerText(), /DNS record changes/)
  assert.match(await dns.innerText(), /Thu, May 14, 2099, 18:00 EDT/)
  assert.match(await dns.innerText(), /customer/i)
  await app.shot('timeline')
})

test('marking a step done is stored and shown', async () => {
  const { page } = app
  const row = page.locator('tr[data-step=verify_domain]')
  await row.getByRole('button', { name: 'Done' }).first().click()
  await page.locator('tr[data-step=verify_domain].status-done').waitFor()
  const tl = JSON.parse(cli(app.db, '--json', 'timeline', '--project', 'acme'))
  assert.equal(tl.steps.find((s) => s.key === 'verify_domain').status, 'done')
})

test('a contact added in the log is listed and stored', async () => {
  const { page } = app
  await page.fill('input[aria-label=Summary]', 'Called Dana about the TTLs')
  await page.getByRole('button', { name: 'Add contact' }).click()
  await page.getByText('Called Dana about the TTLs').waitFor()
  const log = JSON.parse(cli(app.db, '--json', 'contact', 'list', '--project', 'acme'))
  assert.equal(log.length, 1)
  assert.equal(log[0].summary, 'Called Dana about the TTLs')
  assert.deepEqual(app.pageErrors, [])
})

test('the projects list shows the new project', async () => {
  const { page } = app
  await page.goto(app.base + '/#/')
  const table = page.getByTestId('projects')
  await table.getByRole('link', { name: 'acme' }).waitFor()
  assert.match(await table.innerText(), /Microsoft 365/)
})
