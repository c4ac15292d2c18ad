package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// field is one member of a JSON object. The value is kept as the bytes given, so that a number such as
// 9007199254740993 is served with its digits, never through a float64.
type field struct {
	name  string
	value json.RawMessage
}

// object is a JSON object that remembers its members' order: a response lists fields in the order the
// data set gave them, and a field left out stays out.
type object []field

func (o object) get(name string) (json.RawMessage, bool) {
	for _, f := range o {
		if f.name == name {
			return f.value, true
		}
	}
	return nil, false
}

// with returns a copy of o with name set to v, in its old place or else at the end. Copying keeps
// objects shared between the data set and responses in flight immutable.
func (o object) with(name string, v json.RawMessage) object {
	out := make(object, 0, len(o)+1)
	found := false
	for _, f := range o {
		if f.name == name {
			f.value = v
			found = true
		}
		out = append(out, f)
	}
	if !found {
		out = append(out, field{name, v})
	}
	return out
}

func (o object) without(names ...string) object {
	out := make(object, 0, len(o))
next:
	for _, f := range o {
		for _, n := range names {
			if f.name == n {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	o.writeTo(&b)
	return b.Bytes(), nil
}

// writeTo appends the object's JSON: its members in order, each value as given.
func (o object) writeTo(b *bytes.Buffer) {
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		writeName(b, f.name)
		b.WriteByte(':')
		if len(f.value) == 0 {
			b.WriteString("null")
		} else {
			b.Write(f.value)
		}
	}
	b.WriteByte('}')
}

// writeName quotes a member name; API names are plain ASCII and skip encoding/json.
func writeName(b *bytes.Buffer, name string) {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(name) // a string always marshals
			b.Write(quoted)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(name)
	b.WriteByte('"')
}

func (o *object) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected a JSON object, got %s", describeToken(tok))
	}
	var out object
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string) // the decoder only yields string keys inside an object
		if seen[name] {
			// Which of two values a client keeps is its own business; a data set should not ask.
			return fmt.Errorf("field %q appears twice", name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("field %q: %w", name, err)
		}
		out = append(out, field{name, v})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON object")
	}
	*o = out
	return nil
}

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return string(v)
	default:
		return fmt.Sprintf("%T", v)
	}
}

// rawJSON marshals values the server builds itself, which always marshal. It leaves <, > and & alone, as
// the gateway does, rather than writing them as \u003c and the like.
func rawJSON(v any) json.RawMessage {
	raw, err := marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
