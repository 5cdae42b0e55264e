package sheets

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

// BenchmarkReadStyledNumbers reads 50,000 numbers whose style pads them with zeros: the
// cells the streaming reader hands to excelize for formatting.
func BenchmarkReadStyledNumbers(b *testing.B) {
	f := excelize.NewFile()
	zeros, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0000000000")})
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"Email address", "Office phone"})
	for i := 2; i <= 50001; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{"a@acme.example", excelize.Cell{StyleID: zeros, Value: 612345678}})
	}
	sw.Flush()
	buf, _ := f.WriteToBuffer()
	data := buf.Bytes()
	b.ResetTimer()
	for range b.N {
		tab, err := Read("x.xlsx", data, "", DefaultLimits)
		if err != nil || len(tab.Rows) != 50001 || tab.Rows[1].Cells[1] != "0612345678" {
			b.Fatalf("%v %d %v", err, len(tab.Rows), tab.Rows[1].Cells)
		}
	}
}
