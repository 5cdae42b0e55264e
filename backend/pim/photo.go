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

// withPhoto is a vCard's text with its PHOTO set to the image, inline: vCard 3.0 takes
// base64 with ENCODING=b and the image TYPE (RFC 2426 3.1.4), vCard 4.0 a data: URI with
// the media type (RFC 6350 6.2.4). A PHOTO already there is replaced.
func withPhoto(data, img []byte, mediaType string) []byte {
	lines, _ := unfold(data)
	v4 := false
	out := make([]string, 0, len(lines)+1)
	for _, l := range lines {
		head, value, _ := splitProp(l)
		switch propName(head) {
		case "VERSION":
			v4 = strings.TrimSpace(value) == "4.0"
		case vcard.FieldPhoto:
			continue
		}
		if strings.EqualFold(l, "END:VCARD") {
			b64 := base64.StdEncoding.EncodeToString(img)
			if v4 {
				out = append(out, "PHOTO:data:"+mediaType+";base64,"+b64)
			} else {
				typ := strings.ToUpper(strings.TrimPrefix(mediaType, "image/"))
				out = append(out, "PHOTO;ENCODING=b;TYPE="+typ+":"+b64)
			}
		}
		out = append(out, l)
	}
	return normalize(out)
}
