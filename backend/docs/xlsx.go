package docs

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// renderXLSX writes a workbook: a first sheet with the document's header and text, then
// one sheet per table, with a bold frozen header row and filters, so the data sorts.
func renderXLSX(d Doc) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	first := sheetName(d.Title)
	if err := x.SetSheetName("Sheet1", first); err != nil {
		return nil, err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	row := 1
	put := func(sheet string, r int, vals ...string) error {
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, r)
			if err := x.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
		return nil
	}
	lines := [][]string{{d.Title}, {d.Subtitle}}
	for _, m := range d.Meta {
		lines = append(lines, []string{m.Label, m.Value})
	}
	for _, s := range d.Sections {
		lines = append(lines, []string{}, []string{s.Heading})
		for _, b := range s.Blocks {
			switch {
			case b.Text != "":
				lines = append(lines, []string{b.Text})
			case b.Code != "":
				lines = append(lines, []string{b.Code})
			case b.Items != nil:
				for _, it := range b.Items {
					lines = append(lines, []string{"• " + it})
				}
			}
		}
	}
	for _, l := range lines {
		if err := put(first, row, l...); err != nil {
			return nil, err
		}
		row++
	}
	_ = x.SetCellStyle(first, "A1", "A1", bold)
	_ = x.SetColWidth(first, "A", "A", 60)
	for _, t := range d.tables() {
		if _, err := x.NewSheet(t.Sheet); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", t.Sheet, err)
		}
		if err := put(t.Sheet, 1, t.Columns...); err != nil {
			return nil, err
		}
		for i, r := range t.Rows {
			if err := put(t.Sheet, i+2, r...); err != nil {
				return nil, err
			}
		}
		if len(t.Columns) == 0 {
			continue
		}
		last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
		_ = x.SetCellStyle(t.Sheet, "A1", last, bold)
		lastCol, _ := excelize.ColumnNumberToName(len(t.Columns))
		_ = x.SetColWidth(t.Sheet, "A", lastCol, 24)
		_ = x.SetPanes(t.Sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		end, _ := excelize.CoordinatesToCellName(len(t.Columns), len(t.Rows)+1)
		_ = x.AutoFilter(t.Sheet, "A1:"+end, nil)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
