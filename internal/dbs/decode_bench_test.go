package dbs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// fullPageBody is a page of n restore tasks with every field set, some strings escaped, as DBS sends it.
func fullPageBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"HttpStatusCode":200,"PageNum":0,"RequestId":"9C397502-B4F2-4E22-AD97-C81F0049F3F3","Success":true,"TotalPages":1,"TotalElements":`)
	fmt.Fprintf(&b, "%d,\"PageSize\":100,\"Items\":{\"RestoreTaskDetail\":[", n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, f := range Fields {
			if j > 0 {
				b.WriteByte(',')
			}
			if f.Kind == KindInteger {
				fmt.Fprintf(&b, "%q:%d", f.Name, 1554560477000+int64(i))
			} else if j%9 == 0 {
				fmt.Fprintf(&b, "%q:\"quoted \\\"value\\\" %d\"", f.Name, i)
			} else {
				fmt.Fprintf(&b, "%q:\"value-%d-%d\"", f.Name, i, j)
			}
		}
		b.WriteByte('}')
	}
	b.WriteString("]}}")
	return []byte(b.String())
}

// BenchmarkDecodePage decodes a full page of 100 tasks and reports the cost per task.
func BenchmarkDecodePage(b *testing.B) {
	body := fullPageBody(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		page, err := decodePage(bytes.NewReader(body), maxBodyBytes)
		if err != nil || len(page.Tasks) != 100 {
			b.Fatalf("decode: %v", err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/task")
}
