package api

import (
	"fmt"

	"cutover/backend/batch"
	"cutover/backend/secrets"
)

// BatchInput is one batch entry as the UI sends it. Empty passwords keep the stored ones.
type BatchInput struct {
	SourceLogin    string `json:"sourceLogin"`
	DestLogin      string `json:"destLogin"`
	Name           string `json:"name"`
	Enabled        *bool  `json:"enabled,omitempty"`
	SourcePassword string `json:"sourcePassword,omitempty"`
	DestPassword   string `json:"destPassword,omitempty"`
}

// Batch lists the project's migration batch: source mailbox → destination mailbox.
func (a *API) Batch(projectName string) ([]batch.Entry, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	out, err := a.store.Batch(a.ctx, p.ID)
	if out == nil {
		out = []batch.Entry{}
	}
	return out, err
}

// BatchSet adds or updates the entry keyed by its source login, sealing any password given.
func (a *API) BatchSet(projectName string, in BatchInput) (batch.Entry, error) {
	return a.putBatch(projectName, batch.Input{
		SourceLogin: in.SourceLogin, DestLogin: in.DestLogin, Name: in.Name, Enabled: in.Enabled,
		SourcePassword: secrets.New(in.SourcePassword), DestPassword: secrets.New(in.DestPassword),
	})
}

func (a *API) putBatch(projectName string, in batch.Input) (batch.Entry, error) {
	p, err := a.project(projectName)
	if err != nil {
		return batch.Entry{}, err
	}
	in, err = batch.Normalize(in)
	if err != nil {
		return batch.Entry{}, err
	}
	e, _, err := a.store.PutBatchEntry(a.ctx, p.ID, in)
	if err != nil {
		return e, err
	}
	for side, s := range map[string]secrets.Secret{"source": in.SourcePassword, "dest": in.DestPassword} {
		if s.IsZero() {
			continue
		}
		if err := a.vault.Put(a.ctx, batch.SecretRef(e.ID, side), p.ID, s); err != nil {
			return e, fmt.Errorf("seal the %s password of %q: %w", side, in.SourceLogin, err)
		}
	}
	if e, err = a.store.BatchEntry(a.ctx, p.ID, in.SourceLogin); err != nil {
		return e, err
	}
	a.bus.Publish("batch:changed", p.Name, e)
	return e, nil
}

// BatchRemove takes a source mailbox out of the batch, with its stored passwords.
func (a *API) BatchRemove(projectName, sourceLogin string) error {
	p, err := a.project(projectName)
	if err != nil {
		return err
	}
	if err := a.store.RemoveBatchEntry(a.ctx, p.ID, sourceLogin); err != nil {
		return err
	}
	a.bus.Publish("batch:changed", p.Name, sourceLogin)
	return nil
}

// batchPasswords returns the stored passwords of an entry (zero Secrets where none is stored).
func (a *API) batchPasswords(e batch.Entry) (source, dest secrets.Secret, err error) {
	if e.HasSourcePassword {
		if source, err = a.vault.Get(a.ctx, batch.SecretRef(e.ID, "source")); err != nil {
			return source, dest, fmt.Errorf("source password of %q: %w", e.SourceLogin, err)
		}
	}
	if e.HasDestPassword {
		if dest, err = a.vault.Get(a.ctx, batch.SecretRef(e.ID, "dest")); err != nil {
			return source, dest, fmt.Errorf("destination password of %q: %w", e.SourceLogin, err)
		}
	}
	return source, dest, nil
}
