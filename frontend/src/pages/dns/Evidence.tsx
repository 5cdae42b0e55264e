import { useCallback, useEffect, useState } from 'react'
import { call } from '../../api/client'
import { dnsCheckChanges } from '../../stores/domains'
import { fmtDate } from '../../api/format'
import { StepEvidence } from './types'

/** The latest DNS checks' evidence for the timeline steps they prove, by step key. */
export function useDnsEvidence(project: string): { evidence: Record<string, StepEvidence>; reload: () => void } {
  const [evidence, setEvidence] = useState<Record<string, StepEvidence>>({})
  const reload = useCallback(() => {
    call<StepEvidence[]>('DnsEvidence', project).then(
      (evs) => setEvidence(Object.fromEntries((evs ?? []).map((e) => [e.step, e]))),
      () => setEvidence({}),
    )
  }, [project])
  const changes = dnsCheckChanges.use(project)
  useEffect(reload, [reload, changes])
  return { evidence, reload }
}

/** One step's evidence from the latest DNS check, with "Mark done" when it passes. */
export function EvidenceNote({ project, ev, tz, onMarked, onError }: {
  project: string
  ev: StepEvidence
  tz: string
  onMarked?: () => void
  onError?: (e: unknown) => void
}) {
  const [busy, setBusy] = useState(false)
  async function mark() {
    setBusy(true)
    try {
      await call('DnsMarkStep', project, ev.step)
      onMarked?.()
    } catch (e) {
      onError?.(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className={`evidence ${ev.passed ? 'pass' : 'fail'}`} data-evidence={ev.step} title={ev.summary}>
      <span>
        {ev.passed ? '✓' : '…'} DNS check #{ev.checkId} ({fmtDate(ev.at, tz)}): {ev.passed ? 'passes' : 'does not pass yet'}
      </span>
      {ev.passed && ev.status !== 'done' && (
        <button onClick={mark} disabled={busy} aria-label={`Mark ${ev.title || ev.step} done from the DNS check`}>
          Mark done from check
        </button>
      )}
    </div>
  )
}
