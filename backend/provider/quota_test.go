package provider

import (
	"testing"
	"time"
)

func TestQuotaPausesBeforeTheHostRefusesAndResumesAsUseAgesOut(t *testing.T) {
	g := preset(t, Google)
	q := g.UploadQuota()
	at := now
	for i := 0; i < 4; i++ { // 4 × 100 MB, an hour apart
		if ok, _ := q.Fits(at, 100*mb); !ok {
			t.Fatalf("message %d did not fit", i)
		}
		q.Add(at, 100*mb)
		at = at.Add(time.Hour)
	}
	if ok, _ := q.Fits(at, 100*mb); !ok {
		t.Fatal("the fifth 100 MB fits exactly in 500 MB")
	}
	q.Add(at, 100*mb)
	ok, resume := q.Fits(at, 150*mb)
	if ok || !resume.Equal(now.Add(24*time.Hour+time.Hour)) {
		t.Fatalf("150 MB more: ok %v, resume %v; want the moment the first two uses age out (%v)", ok, resume, now.Add(25*time.Hour))
	}
	if ok, _ := q.Fits(resume.Add(-time.Second), 150*mb); ok {
		t.Error("fits a second early")
	}
	if ok, _ := q.Fits(resume, 150*mb); !ok {
		t.Error("does not fit at the resume time")
	}
	if got := q.Used(resume); got != 300*mb {
		t.Errorf("used at resume %d", got)
	}
}

func TestQuotaLetsAMessageLargerThanTheQuotaGoAlone(t *testing.T) {
	q := NewQuota(1000, time.Hour)
	if ok, _ := q.Fits(now, 5000); !ok {
		t.Fatal("an empty window refuses a large message: it would never go")
	}
	q.Add(now, 10)
	ok, resume := q.Fits(now, 5000)
	if ok || !resume.Equal(now.Add(time.Hour)) {
		t.Errorf("ok %v resume %v", ok, resume)
	}
}

func TestQuotaWithoutLimitHoldsNothingBack(t *testing.T) {
	for _, q := range []*Quota{preset(t, IMAP).UploadQuota(), preset(t, M365).DownloadQuota(), nil} {
		q.Add(now, 1<<40)
		if ok, at := q.Fits(now, 1<<40); !ok || !at.Equal(now) {
			t.Errorf("%v held back", q)
		}
	}
}
