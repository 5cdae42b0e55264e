// Package dispatch calls an operation of package api by name with JSON arguments. It
// is the one path a call takes from both user interfaces: the web face's
// POST /api/call/<Method> and the desktop window's binding (app.go) both hand it the
// method's name and its arguments as JSON, so arguments are decoded, and errors
// classified into fault's envelope, the same way in the browser and in the window.
//
// The operations are the exported methods of *api.API; their last result may be an
// error. It imports api and fault, and is imported only by the faces.
package dispatch

import (
	"encoding/json"
	"fmt"
	"reflect"

	"cutover/backend/api"
	"cutover/backend/fault"
)

// Dispatcher calls the operations of one API by name.
type Dispatcher struct {
	api     *api.API
	methods map[string]reflect.Method
}

// New returns a Dispatcher over a.
func New(a *api.API) *Dispatcher { return &Dispatcher{api: a, methods: Methods()} }

// Methods lists the operations callable by name: the exported methods of *api.API.
func Methods() map[string]reflect.Method {
	t := reflect.TypeOf(&api.API{})
	out := map[string]reflect.Method{}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		out[m.Name] = m
	}
	return out
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// Call runs the operation named method with args, each the JSON of one argument
// (missing trailing arguments are zero values), and returns its result. Its error
// classifies with fault.Classify: an unknown method is KindNotFound, arguments that do
// not decode are KindInput, and the operation's own error keeps its kind.
func (d *Dispatcher) Call(method string, args []json.RawMessage) (any, error) {
	m, ok := d.methods[method]
	if !ok {
		return nil, fault.Mark(fault.KindNotFound, fmt.Errorf("no operation %s", method))
	}
	nin := m.Type.NumIn() - 1 // the receiver comes first
	if len(args) > nin {
		return nil, fault.Mark(fault.KindInput, fmt.Errorf("%s takes %d arguments, got %d", method, nin, len(args)))
	}
	in := []reflect.Value{reflect.ValueOf(d.api)}
	for i := 0; i < nin; i++ {
		v := reflect.New(m.Type.In(i + 1))
		if i < len(args) && len(args[i]) > 0 {
			if err := json.Unmarshal(args[i], v.Interface()); err != nil {
				return nil, fault.Mark(fault.KindInput, fmt.Errorf("%s argument %d: %w", method, i+1, err))
			}
		}
		in = append(in, v.Elem())
	}
	var result any
	for _, o := range m.Func.Call(in) {
		if o.Type() == errorType {
			if !o.IsNil() {
				return nil, o.Interface().(error)
			}
			continue
		}
		result = o.Interface()
	}
	return result, nil
}
