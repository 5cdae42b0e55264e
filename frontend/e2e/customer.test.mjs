// A specialist prepares the customer pack from the Customer tab: reaches the pre-migration
// message from its timeline step, edits it, saves it as .eml, sends it through a real SMTP
// submission server on loopback (STARTTLS, AUTH PLAIN, one recipient refused with 550 and
// named), sees the step marked done, and downloads every document in every format. Then
// signs in to SMTP with OAuth — Microsoft's device code, Google's browser sign-in with
// PKCE — against a fake identity provider, and sends through a submission server that
// takes only that provider's tokens (XOAUTH2, checked at the provider).
import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApp, cli, repo, bin, startGoHelper } from './harness.mjs'

let app
let smtp
let smtpOAuth
let smtpGoogle
let idp
const received = []
const receivedOAuth = []
const receivedGoogle = []

function startSMTP(args = ['-user', 'zoe@migrate.example', '-password', 'smtp-secret', '-refuse', 'gone@acme.example'], received_ = received) {
  const received = received_
  const exe = join(repo, 'build', 'bin', 'smtp-submission')
  execFileSync('go', ['build', '-o', exe, './backend/messages/smtptest/cmd/smtp-submission'], { cwd: repo, stdio: 'inherit' })
  const ca = join(mkdtempSync(join(tmpdir(), 'cutover-smtp-')), 'ca.pem')
  const proc = spawn(exe, ['-ca', ca, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((ok, fail) => {
    let out = ''
    let info
    const timer = setTimeout(() => fail(new Error('smtp-submission did not start')), 60000)
    proc.stdout.on('data', (d) => {
      out += d
      let i
      while ((i = out.indexOf('\n')) >= 0) {
        const line = JSON.parse(out.slice(0, i))
        out = out.slice(i + 1)
        if (line.port) {
          info = line
          clearTimeout(timer)
          ok({ proc, info })
        } else received.push(line)
      }
    })
    proc.on('exit', (code) => !info && fail(new Error(`smtp-submission exited ${code}`)))
  })
}

before(async () => {
  smtp = await startSMTP()
  idp = await startGoHelper('./backend/auth/authtest/cmd/fakeidp', ['-client', 'specialist-app', '-interval', '1s', '-browser-user', 'zoe@migrate.example'])
  smtpOAuth = await startSMTP(['-introspection', `${idp.info.url}/introspect`], receivedOAuth)
  smtpGoogle = await startSMTP(['-introspection', `${idp.info.url}/introspect`, '-scope', 'https://mail.google.com/'], receivedGoogle)
  app = await startApp({
    seed: async (db) => {
      cli(db, 'project', 'create', '--name', 'acme', '--customer', 'Díaz & Grüße', '--domain', 'acme.example', '--provider', 'm365',
        '--source', 'imaps://mail.oldhost.example', '--cutover', '2099-05-14 18:00', '--tz', 'America/Toronto')
      cli(db, 'customer', '--project', 'acme', '--contact-name', 'Jürgen Díaz', '--contact-email', 'jurgen@acme.example')
      execFileSync(bin, ['--db', db, 'specialist', 'set', '--name', 'Zoé Grüße', '--company', 'Migrations Inc.', '--email', 'zoe@migrate.example',
        '--phone', '+1 514 555 0100', '--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.info.port), '--smtp-security', 'starttls',
        '--smtp-user', 'zoe@migrate.example', '--smtp-ca-file', smtp.info.caFile, '--smtp-password'],
        { env: { ...process.env, CUTOVER_SMTP_PASSWORD: 'smtp-secret' } })
    },
  })
})

after(async () => {
  await app?.stop()
  smtp?.proc.kill('SIGTERM')
  smtpOAuth?.proc.kill('SIGTERM')
  smtpGoogle?.proc.kill('SIGTERM')
  idp?.proc.kill('SIGTERM')
})

test('the pre-migration message is reached from its step, edited, saved as .eml and sent; the refused recipient is named', async () => {
  const { page, base } = app
  await page.goto(`${base}/#/p/acme/timeline`)
  await page.locator('tr[data-step=pre_contact] a[data-pack=pre_contact]').click()
  const editor = page.getByTestId('message-editor')
  await editor.waitFor()
  assert.match(await page.url(), /#\/p\/acme\/customer\/pre_contact$/)
  const body = editor.getByLabel('Message body')
  assert.match(await body.inputValue(), /Hello Jürgen Díaz,/)
  assert.match(await body.inputValue(), /https:\/\/outlook\.office\.com\/mail\//)

  await editor.getByLabel('Subject').fill('Grüße: your migration on 14 May')
  await body.fill((await body.inputValue()) + '\nP.S. Díaz family, see you Friday.')
  await editor.getByRole('button', { name: 'Save draft' }).click()
  await page.locator('a[data-message=pre_contact]', { hasText: '✎' }).waitFor()

  const [download] = await Promise.all([page.waitForEvent('download'), editor.getByRole('button', { name: 'Save .eml' }).click()])
  assert.equal(download.suggestedFilename(), 'acme-pre_contact.eml')
  const eml = readFileSync(await download.path(), 'utf8')
  assert.match(eml, /^Subject: =\?utf-8\?/im)
  assert.match(eml, /X-Unsent: 1/)
  assert.match(eml, /filename=acme-limitations\.pdf/)
  assert.match(await editor.getByTestId('attachments').innerText(), /acme-limitations\.pdf/)

  await editor.getByLabel('To').fill('Jürgen Díaz <jurgen@acme.example>, gone@acme.example')
  await editor.getByRole('button', { name: 'Send' }).click()
  const status = editor.getByRole('status')
  await status.waitFor()
  assert.match(await status.innerText(), /Refused: gone@acme\.example — 550/)
  assert.match(await status.innerText(), /Pre-migration contact: done/)
  assert.equal(received.length, 1)
  assert.deepEqual(received[0].to, ['jurgen@acme.example'])
  assert.match(received[0].data, /P\.S\. D=C3=ADaz family/)

  const tl = JSON.parse(cli(app.db, '--json', 'timeline', '--project', 'acme'))
  assert.equal(tl.steps.find((s) => s.key === 'pre_contact').status, 'done')
  const log = JSON.parse(cli(app.db, '--json', 'contact', 'list', '--project', 'acme'))
  assert.match(log[0].summary, /gone@acme\.example: 550/)
  assert.deepEqual(app.pageErrors, [])
})

test('every document downloads in every format, with the project\'s values', async () => {
  const { page, base } = app
  await page.goto(`${base}/#/p/acme/customer`)
  const kinds = ['tasks', 'limitations', 'guide', 'report-progress', 'report-verify', 'report-close']
  for (const kind of kinds) {
    for (const f of ['pdf', 'html', 'xlsx']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${kind} as ${f}` }).click()])
      assert.equal(download.suggestedFilename(), `acme-${kind}.${f}`)
      const data = readFileSync(await download.path())
      const magic = { pdf: '%PDF', html: '<!DOC', xlsx: 'PK' }[f]
      assert.equal(data.subarray(0, magic.length).toString(), magic, `${kind}.${f}`)
      if (kind === 'tasks' && f === 'pdf') {
        const path = join(app.dir, 'tasks.pdf')
        writeFileSync(path, data)
        const text = execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' })
        assert.match(text, /Díaz & Grüße/)
        assert.match(text, /Zoé Grüße/)
      }
    }
  }
  await page.getByRole('button', { name: /^Preview Preparation tasks/ }).click()
  const frame = page.frameLocator('iframe[title="Preview of tasks"]')
  await frame.locator('h1', { hasText: 'Díaz & Grüße' }).waitFor()
  await app.shot('customer')
  assert.deepEqual(app.pageErrors, [])
})

test('the specialist signs in to SMTP with a device code from the profile card, then sends with the token', async () => {
  const { page, base } = app
  cli(app.db, 'specialist', 'set', '--smtp-port', String(smtpOAuth.info.port), '--smtp-ca-file', smtpOAuth.info.caFile,
    '--smtp-auth', 'microsoft', '--smtp-client-id', 'specialist-app', '--smtp-idp-url', idp.info.url)
  await page.goto(`${base}/#/p/acme/customer`)
  await page.reload() // the profile set from the command line is read again
  const profile = page.getByRole('form', { name: 'Your profile' })
  assert.equal(await profile.getByLabel('SMTP sign-in').inputValue(), 'microsoft')
  const card = profile.getByTestId('smtp-signin')
  await card.getByText('Not signed in').waitFor()
  await card.getByRole('button', { name: 'Sign in', exact: true }).click()
  const code = (await card.getByTestId('smtp-user-code').textContent()).trim()
  const uri = await card.getByTestId('smtp-verification-uri').getAttribute('href')
  assert.equal(uri, `${idp.info.url}/device`)
  await app.shot('smtp-signin-device-code')

  const tab = await page.context().newPage()
  await tab.goto(uri)
  await tab.getByLabel('Code').fill(code)
  await tab.getByLabel('Account').fill('zoe@migrate.example')
  await tab.getByRole('button', { name: 'Sign in' }).click()
  await tab.getByText('Signed in.').waitFor()
  await tab.close()
  await card.getByTestId('smtp-signin-result').getByText('Signed in as zoe@migrate.example.').waitFor({ timeout: 30000 })
  await card.getByTestId('smtp-signin-state').getByText(/^Signed in/).waitFor()

  await page.goto(`${base}/#/p/acme/customer/confirm_contact`)
  const editor = page.getByTestId('message-editor')
  await editor.getByRole('button', { name: 'Send' }).click()
  await editor.getByRole('status').waitFor()
  assert.equal(receivedOAuth.length, 1)
  assert.deepEqual(receivedOAuth[0].to, ['jurgen@acme.example'])
  const shown = cli(app.db, '--json', 'specialist', 'show')
  assert.match(shown, /"smtpSignedIn": true/)
  assert.doesNotMatch(shown, /access_token|refresh_token/)
  assert.deepEqual(app.pageErrors, [])
  assert.equal(idp.stderr(), '', 'the fake provider saw a malformed request')
})

test('the specialist signs in to SMTP with Google in the browser (code and PKCE), then sends with the token', async () => {
  const { page, base } = app
  cli(app.db, 'specialist', 'signout', '--smtp') // the Microsoft token of the test before
  cli(app.db, 'specialist', 'set', '--smtp-port', String(smtpGoogle.info.port), '--smtp-ca-file', smtpGoogle.info.caFile,
    '--smtp-auth', 'google', '--smtp-client-id', 'specialist-app', '--smtp-idp-url', idp.info.url)
  await page.goto(`${base}/#/p/acme/customer`)
  await page.reload() // the profile set from the command line is read again
  const profile = page.getByRole('form', { name: 'Your profile' })
  assert.equal(await profile.getByLabel('SMTP sign-in').inputValue(), 'google')
  const card = profile.getByTestId('smtp-signin')
  await card.getByText('Not signed in').waitFor()

  // Google's sign-in opens in a browser tab: the provider's page, then back to Cutover's
  // loopback address with the code, which Cutover trades for a token with its verifier.
  const asked = []
  const onRequest = (r) => r.url().startsWith(`${idp.info.url}/authorize`) && asked.push(new URL(r.url()))
  page.context().on('request', onRequest)
  const [tab] = await Promise.all([page.context().waitForEvent('page'), card.getByRole('button', { name: 'Sign in', exact: true }).click()])
  await tab.getByText('Signed in. You can close this tab and return to Cutover.').waitFor()
  page.context().off('request', onRequest)
  assert.match(tab.url(), /^http:\/\/127\.0\.0\.1:\d+\/\?code=/)
  await tab.close()
  assert.equal(asked.length, 1)
  const q = asked[0].searchParams
  assert.equal(q.get('response_type'), 'code')
  assert.equal(q.get('client_id'), 'specialist-app')
  assert.equal(q.get('scope'), 'https://mail.google.com/')
  assert.equal(q.get('code_challenge_method'), 'S256')
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/)
  assert.equal(q.get('access_type'), 'offline') // a refresh token, so sending works tomorrow too
  await card.getByTestId('smtp-signin-result').getByText('Signed in as zoe@migrate.example.').waitFor()
  await card.getByTestId('smtp-signin-state').getByText(/^Signed in.*renewed by itself/).waitFor()
  await app.shot('smtp-signin-google')

  await page.goto(`${base}/#/p/acme/customer/cutover_start`)
  const editor = page.getByTestId('message-editor')
  await editor.getByLabel('Subject').fill('Tonight we move your mail (sent with Google)')
  await editor.getByLabel('To').fill('jurgen@acme.example')
  await editor.getByRole('button', { name: 'Send' }).click()
  await editor.getByRole('status').waitFor()
  assert.equal(receivedGoogle.length, 1)
  assert.deepEqual(receivedGoogle[0].to, ['jurgen@acme.example'])
  assert.match(receivedGoogle[0].data, /^From: .*zoe@migrate\.example/m)

  await page.goto(`${base}/#/p/acme/timeline`)
  const logged = page.locator('.card', { has: page.getByRole('heading', { name: 'Contact log' }) })
    .locator('tr', { hasText: 'Sent "Tonight we move your mail (sent with Google)" to jurgen@acme.example' })
  await logged.waitFor()
  assert.match(await logged.innerText(), /email/)
  assert.doesNotMatch(cli(app.db, '--json', 'specialist', 'show'), /access_token|refresh_token/)
  assert.deepEqual(app.pageErrors, [])
  assert.equal(idp.stderr(), '', 'the fake provider saw a malformed request')
})
