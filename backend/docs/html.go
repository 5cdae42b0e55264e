package docs

import (
	"bytes"
	"html/template"
)

// page is the print-ready HTML of a document: one file, its style inline, A4 margins for
// printing, nothing fetched from elsewhere.
var page = template.Must(template.New("doc").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; font-size: 10.5pt; color: #1d2330; max-width: 190mm; margin: 0 auto; padding: 12px; }
h1 { font-size: 20pt; margin: 0 0 4px; } .sub { color: #556; margin: 0 0 12px; }
table.meta td { padding: 1px 10px 1px 0; vertical-align: top; } table.meta td:first-child { color: #556; }
h2 { font-size: 13pt; border-bottom: 1px solid #ccd; padding-bottom: 2px; margin-top: 20px; page-break-after: avoid; }
table.data { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 9.5pt; }
table.data th { background: #eef1f6; text-align: left; } table.data th, table.data td { border: 1px solid #ccd; padding: 3px 5px; vertical-align: top; }
table.data tr { page-break-inside: avoid; }
pre.code { background: #f5f6f8; border: 1px solid #ccd; padding: 6px 8px; white-space: pre-wrap; word-break: break-all; font-family: "DejaVu Sans Mono", Consolas, monospace; }
</style></head><body>
<h1>{{.Title}}</h1><p class="sub">{{.Subtitle}}</p>
<table class="meta">{{range .Meta}}<tr><td>{{.Label}}</td><td>{{.Value}}</td></tr>{{end}}</table>
{{range .Sections}}<section><h2>{{.Heading}}</h2>
{{range .Blocks}}{{if .Text}}<p>{{.Text}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{if .Code}}<pre class="code">{{.Code}}</pre>
{{end}}{{with .Table}}{{if .Rows}}<table class="data"><thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{end}}{{end}}{{end}}</section>
{{end}}
</body></html>
`))

func renderHTML(d Doc) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
