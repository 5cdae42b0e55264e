// An administrator signs a destination mailbox in to "Microsoft 365" with a device code from
// the project's Settings page: the app shows the code and the URL and waits; the person
// opens the URL in another tab (here: the fake identity provider's /device page, on
// loopback), types the code and signs in; the app says signed in, and the Mailboxes page
// shows the mailbox signed in.
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startApp, cli, repo, bin, startGoHelper } from './harness.mjs'

let app
let idp


before(async () => {
  idp = await startGoHelper('./backend/auth/authtest/cmd/fakeidp', ['-client', 'public-app', '-interval', '1s'])
  app = await startApp({
    seed: async (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--domain', 'acme.example', '--provider', 'm365',
        '--source', 'imap+plain://127.0.0.1:9', '--dest', 'imaps://outlook.office365.com', '--cutover', '2099-05-14 18:00', '--tz', 'UTC')
      for (const u of ['alice', 'bob']) {
        execFileSync(bin, ['--db', db, 'batch', 'set', '--project', 'acme', '--source', u, '--dest', `${u}@acme.example`], {
          env: { ...process.env, CUTOVER_SOURCE_PASSWORD: `${u}-secret` },
        })
      }
    },
  })
})

after(async () => {
  await app?.stop()
  if (idp) {
    idp.proc.kill('SIGTERM')
    await new Promise((r) => (idp.proc.exitCode !== null ? r() : idp.proc.on('exit', r)))
  }
})

test('a destination mailbox signs in with a device code approved in a second tab', async () => {
  const { page } = app
  await page.goto(`${app.base}/#/p/acme/settings`)
  const card = page.getByTestId('signin-dest')
  await card.getByLabel('Destination sign-in method').selectOption('microsoft-user')
  await card.getByLabel('Client ID').fill('public-app')
  await card.locator('summary', { hasText: 'Advanced' }).click()
  await card.getByLabel('Identity provider URL').fill(idp.info.url)
  await card.getByRole('button', { name: 'Save sign-in' }).click()
  await card.getByText('Saved.').waitFor()

  const status = card.getByTestId('signin-status-dest')
  await status.getByText('not signed in').first().waitFor()
  await card.getByLabel('Mailbox to sign in').selectOption('alice@acme.example')
  await card.getByRole('button', { name: 'Sign in with a code' }).click()
  const code = (await card.getByTestId('user-code').textContent()).trim()
  const uri = await card.getByTestId('verification-uri').getAttribute('href')
  assert.match(code, /^[A-Z0-9_-]{8}$/)
  assert.equal(uri, `${idp.info.url}/device`)
  await card.getByText('Waiting…').waitFor()
  await app.shot('signin-device-code')

  // The person, in another tab, at the provider's page.
  const tab = await page.context().newPage()
  await tab.goto(uri)
  await tab.getByLabel('Code').fill(code)
  await tab.getByLabel('Account').fill('alice@acme.example')
  await tab.getByRole('button', { name: 'Sign in' }).click()
  await tab.getByText('Signed in.').waitFor()
  await tab.close()

  await card.getByTestId('signin-result').getByText('Signed in as alice@acme.example.').waitFor({ timeout: 30000 })
  const alice = status.locator('tr', { hasText: 'alice@acme.example' })
  await alice.getByText('signed in', { exact: true }).waitFor()
  assert.equal(await alice.locator('td').nth(3).textContent(), 'yes')
  await status.locator('tr', { hasText: 'bob@acme.example' }).getByText('not signed in').waitFor()

  // The Mailboxes page shows who is signed in.
  await page.goto(`${app.base}/#/p/acme/mailboxes`)
  const state = page.getByTestId('signin-state')
  await state.locator('tr', { hasText: 'alice@acme.example' }).getByText('signed in', { exact: true }).waitFor()
  await state.locator('tr', { hasText: 'bob@acme.example' }).getByText('not signed in').waitFor()
  await app.shot('signin-mailboxes')

  // The token never reaches the page or the command line's status.
  const statusJSON = cli(app.db, '--json', 'signin', 'status', '--project', 'acme')
  assert.match(statusJSON, /"state": "signed-in"/)
  assert.doesNotMatch(statusJSON, /access_token|refresh_token/)
  assert.deepEqual(app.pageErrors, [])
  assert.equal(idp.stderr(), '', 'the fake provider saw a malformed request')
})

test('the source goes admin-wide: a missing secret is named next to its field, then the FullAccess script downloads', async () => {
  const { page } = app
  await page.goto(`${app.base}/#/p/acme/settings`)
  const card = page.getByTestId('signin-source')
  await card.getByLabel('Source sign-in method').selectOption('microsoft-app')
  await card.getByLabel('Tenant').fill('11111111-aaaa-bbbb-cccc-222222222222')
  await card.getByLabel('Client ID').fill('33333333-4444-5555-6666-777777777777')
  await card.getByRole('button', { name: 'Save sign-in' }).click()
  const secretField = card.locator('label.field', { has: page.getByLabel('Client secret') })
  await secretField.locator('.field-error').getByText(/client secret or its certificate/).waitFor()

  await card.getByLabel('Client secret').fill('app-secret-value')
  await card.getByRole('button', { name: 'Save sign-in' }).click()
  await card.getByText('Saved.').waitFor()
  await card.getByLabel('Client secret').and(page.locator('[placeholder="stored (type to replace)"]')).waitFor()

  const [dl] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Download FullAccess script' }).click()])
  assert.equal(dl.suggestedFilename(), 'grant-acme-source.ps1')
  const script = readFileSync(await dl.path(), 'utf8')
  assert.match(script, /New-ServicePrincipal -AppId \$AppId -ObjectId \$ObjectId/)
  assert.match(script, /\$AppId = '33333333-4444-5555-6666-777777777777'/)
  for (const u of ['alice', 'bob']) assert.match(script, new RegExp(`Add-MailboxPermission -Identity '${u}' -User \\$ObjectId -AccessRights FullAccess`))
  assert.doesNotMatch(script, /app-secret-value/)
  await card.getByRole('button', { name: 'Check access to 2 mailboxes' }).waitFor()
  assert.deepEqual(app.pageErrors, [])
})
