package pim

import (
	"encoding/base64"
	"strings"

	"github.com/emersion/go-vcard"
)

// photoOf decodes a card's PHOTO: inline base64 (vCard 3.0 ENCODING=b) or a data: URI
// (vCard 4.0). A URL to elsewhere is not fetched.
func photoOf(card vcard.Card) ([]byte, string) {
	f := card.Get(vcard.FieldPhoto)
	if f == nil {
		return nil, ""
	}
	v := strings.ReplaceAll(f.Value, " ", "")
	if rest, ok := strings.CutPrefix(v, "data:"); ok {
		meta, data, found := strings.Cut(rest, ",")
		if !found || !strings.HasSuffix(meta, ";base64") {
			return nil, ""
		}
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, ""
		}
		return b, strings.TrimSuffix(meta, ";base64")
	}
	enc := strings.ToLower(f.Params.Get("ENCODING"))
	if enc != "b" && enc != "base64" {
		return nil, ""
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, ""
	}
	typ := strings.ToLower(f.Params.Get(vcard.ParamType))
	if typ == "" {
		typ = "jpeg"
	}
	return b, "image/" + strings.TrimPrefix(typ, "image/")
}
