// Starts the real `cutover serve` on a temporary database and drives it with headless
// Chromium (Debian's /usr/bin/chromium through playwright-core). Used by every e2e test.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { afterEach } from 'node:test'

const here = dirname(fileURLToPath(import.meta.url))
export const repo = resolve(here, '..', '..')
export const bin = process.env.CUTOVER_BIN ?? join(repo, 'build', 'bin', 'cutover-web')
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium'

// The apps this test file started, for what a failed test leaves to read.
const running = new Set()

// A failed test leaves what the page showed: a screenshot under build/test/e2e-shots, and
// on standard error the page's address, its script errors and the server's last words.
afterEach(async (t) => {
  if (t.passed !== false) return
  for (const app of running) {
    const name = `failed-${t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`
    await app.shot(name).catch(() => {})
    console.error(`[failed test "${t.name}"] page ${app.page.url()}; script errors: ${JSON.stringify(app.pageErrors)}; ` +
      `screenshot build/test/e2e-shots/${name}.png; server said: ${app.serverLog().slice(-2000)}`)
  }
})

/** Runs the cutover command line on db and returns its stdout (throws on a non-zero exit). */
export function cli(db, ...args) {
  return execFileSync(bin, ['--db', db, ...args], { encoding: 'utf8' })
}

/**
 * Starts the app: a fresh database (seeded by `seed(db)` if given), `cutover serve` on a free
 * loopback port, and a Chromium page already holding the launch token.
 */
export async function startApp({ seed, serveArgs = [], env = {} } = {}) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it with \`go build -o build/bin/cutover-web .\` (scripts/test.sh does)`)
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install chromium (scripts/test.sh does)`)
  const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'))
  const db = join(dir, 'e2e.db')
  if (seed) await seed(db)
  const proc = spawn(bin, ['--db', db, 'serve', '--addr', '127.0.0.1:0', ...serveArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr += d))
  const url = await new Promise((ok, fail) => {
    let out = ''
    const timer = setTimeout(() => fail(new Error(`cutover serve printed no URL in 20 s: ${out} ${stderr}`)), 20000)
    proc.stdout.on('data', (d) => {
      out += d
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/)
      if (m) {
        clearTimeout(timer)
        ok(m[0])
      }
    })
    proc.on('exit', (code) => fail(new Error(`cutover serve exited ${code}: ${stderr}`)))
  })
  const base = url.replace(/\/\?token=.*/, '')
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true })
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(url)
  const app = {
    url,
    base,
    db,
    dir,
    page,
    browser,
    pageErrors,
    /** Saves a screenshot under build/test/e2e-shots for a person to look at. */
    async shot(name) {
      const out = join(repo, 'build', 'test', 'e2e-shots')
      execFileSync('mkdir', ['-p', out])
      await page.screenshot({ path: join(out, `${name}.png`), fullPage: true })
    },
    /** What the server wrote on standard error so far. */
    serverLog: () => stderr,
    async stop() {
      running.delete(app)
      await browser.close().catch(() => {})
      proc.kill('SIGTERM')
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)))
      rmSync(dir, { recursive: true, force: true })
    },
  }
  running.add(app)
  return app
}

/**
 * Builds a Go command of the repository (pkg, e.g. ./backend/directory/directorytest/cmd/fakegraph)
 * into build/bin, starts it with args and resolves once it has said where it listens: the JSON of
 * its standard output, read at its first line or, with `ready`, once standard error says "ready".
 * Returns { proc, info, stderr(), stop() }.
 */
export function startGoHelper(pkg, args, { ready = false } = {}) {
  const exe = join(repo, 'build', 'bin', pkg.split('/').pop())
  // Built every time (quick when nothing changed): a binary left from an older checkout may lack a flag used here.
  execFileSync('go', ['build', '-o', exe, pkg], { cwd: repo, stdio: 'inherit' })
  const proc = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${pkg} did not start: ${err}`)), 60000)
    const done = (json) => {
      clearTimeout(timer)
      const stop = () => {
        proc.kill('SIGTERM')
        return new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)))
      }
      ok({ proc, info: JSON.parse(json), stderr: () => err, stop })
    }
    proc.stderr.on('data', (d) => {
      err += d
      if (ready && err.includes('ready')) done(out)
    })
    proc.stdout.on('data', (d) => {
      out += d
      if (!ready && out.includes('\n')) done(out.split('\n')[0])
    })
    proc.on('exit', (code) => fail(new Error(`${pkg} exited ${code}: ${err}`)))
  })
}
