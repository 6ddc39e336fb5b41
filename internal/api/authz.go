package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
)

// errNoAuthz is the answer to an authorisation write when Config.Authz is nil.
var errNoAuthz = errors.New("authorisations are read-only on this server")

// authorisations serves GET /api/authorisations?all=true.
func (h *handler) authorisations(w http.ResponseWriter, r *http.Request) {
	q := newQuery(w, r)
	all := q.boolean("all")
	if q.bad {
		return
	}
	as, err := h.cfg.Store.Authorisations(r.Context(), all)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if as == nil {
		as = []*compliance.Authorisation{}
	}
	writeJSON(w, http.StatusOK, as)
}

// authorisation serves GET /api/authorisations/{id}, revoked or not.
func (h *handler) authorisation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := h.storedAuthorisation(r.Context(), id)
	if err == nil && a == nil {
		err = fmt.Errorf("authorisation %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// storedAuthorisation reads authorisation id back from the store, revoked
// or not; nil when it is not stored.
func (h *handler) storedAuthorisation(ctx context.Context, id string) (*compliance.Authorisation, error) {
	as, err := h.cfg.Store.Authorisations(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == id {
			return a, nil
		}
	}
	return nil, nil
}

// addAuthorisation serves POST /api/authorisations: 201 with the stored
// authorisation, 200 for an identical re-add.
func (h *handler) addAuthorisation(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Authz == nil {
		writeError(w, http.StatusServiceUnavailable, errNoAuthz)
		return
	}
	ctx := r.Context()
	a, err := compliance.ParseAuthorisation(r.Body, "request body")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	before, err := h.storedAuthorisation(ctx, a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.cfg.Authz.Add(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	stored, err := h.storedAuthorisation(ctx, a.ID)
	if err == nil && stored == nil {
		err = fmt.Errorf("authorisation %q: added but not stored", a.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	code := http.StatusCreated
	if before != nil {
		code = http.StatusOK
	} else {
		w.Header().Set("Location", "/api/authorisations/"+url.PathEscape(a.ID))
	}
	h.log.Info("authorisation added", "id", a.ID, "operator", a.Operator, "airspace", a.Airspace)
	writeJSON(w, code, stored)
}

// revokeBody is the optional body of POST /api/authorisations/{id}/revoke.
type revokeBody struct {
	At *time.Time `json:"at"`
}

// revokeAuthorisation serves POST /api/authorisations/{id}/revoke (from
// the body's "at", default now) and DELETE /api/authorisations/{id} (now).
func (h *handler) revokeAuthorisation(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Authz == nil {
		writeError(w, http.StatusServiceUnavailable, errNoAuthz)
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	at := h.cfg.Now()
	if r.Method == http.MethodPost {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			h.fail(w, r, fmt.Errorf("request body: %w", err))
			return
		}
		if len(bytes.TrimSpace(data)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			var b revokeBody
			if err := dec.Decode(&b); err != nil {
				writeError(w, http.StatusBadRequest, fmt.Errorf("request body: want {\"at\": RFC 3339 time}: %v", err))
				return
			}
			if b.At != nil {
				at = *b.At
			}
		}
	}
	if err := h.cfg.Authz.Revoke(ctx, id, at); err != nil {
		h.fail(w, r, err)
		return
	}
	stored, err := h.storedAuthorisation(ctx, id)
	if err == nil && stored == nil {
		err = fmt.Errorf("authorisation %q: revoked but not stored: %w", id, store.ErrNotFound)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info("authorisation revoked", "id", id, "at", at.UTC())
	writeJSON(w, http.StatusOK, stored)
}
