// Package dbs is a small client for Alibaba Cloud Database Backup Service (DBS), API version 2019-03-06.
// It knows nothing of Terraform: it turns a Query into every restore task the API returns, typed.
package dbs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// String is a string field as the API sent it. Valid is false when the API left the field out or sent null,
// so that "absent" never turns into "".
type String struct {
	Value string
	Valid bool
}

// Int is an integer field as the API sent it. Valid is false when the API left the field out or sent null,
// so that "absent" never turns into 0.
type Int struct {
	Value int64
	Valid bool
}

// UnmarshalJSON takes a JSON string as is. A number or boolean is kept as the text the API sent (the API is
// loose about types: a port may come as 3306 or "3306"); objects and arrays are errors.
func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("empty value")
	case string(b) == "null":
		*s = String{}
	case b[0] == '"':
		v, err := unquote(b)
		if err != nil {
			return err
		}
		*s = String{Value: v, Valid: true}
	case b[0] == '{' || b[0] == '[':
		return typeError(kindOfJSON(b), stringType)
	default: // number, true, false: keep the literal text
		*s = String{Value: string(b), Valid: true}
	}
	return nil
}

// UnmarshalJSON takes a JSON integer or an integer sent as a numeric string ("42"). An empty string is
// taken as absent. A fraction, an exponent, an integer outside int64 or any other text is an error:
// a number is never rounded or guessed.
func (n *Int) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty value")
	}
	text := string(b)
	switch b[0] {
	case 'n':
		if text == "null" {
			*n = Int{}
			return nil
		}
	case '"':
		v, err := unquote(b)
		if err != nil {
			return err
		}
		if v == "" {
			*n = Int{}
			return nil
		}
		text = v
	case '{', '[', 't', 'f':
		return typeError(kindOfJSON(b), intType)
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return typeError(fmt.Sprintf("%.40q", text), intType)
	}
	*n = Int{Value: v, Valid: true}
	return nil
}

// unquote decodes a JSON string. Most values hold no escapes and are taken as they are; only the rest go
// through encoding/json, which knows every escape and surrogate rule. Decoding a page calls this for
// each of 36 fields of up to 100 tasks, so the fast path matters.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		inner := b[1 : len(b)-1]
		plain := true
		for _, c := range inner {
			if c == '\\' || c == '"' || c < 0x20 {
				plain = false
				break
			}
		}
		if plain && utf8.Valid(inner) {
			return string(inner), nil
		}
	}
	var v string
	err := json.Unmarshal(b, &v)
	return v, err
}

var (
	stringType = reflect.TypeFor[String]()
	intType    = reflect.TypeFor[Int]()
)

// typeError reports a value of the wrong kind as encoding/json's own type error, which the decoder then
// completes with the path of the field (Items.RestoreTaskDetail.RestoreTaskCreateTime) — the one thing a
// reader of the error needs to find the culprit.
func typeError(got string, want reflect.Type) error {
	return &json.UnmarshalTypeError{Value: got, Type: want}
}

func kindOfJSON(b []byte) string {
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// RestoreTask is one RestoreTaskDetail of DescribeRestoreTaskList, every field the API documents, in the
// reference's order. Any field may be absent (older API versions lack the last eleven).
type RestoreTask struct {
	RestoreStatus                                 String `json:"RestoreStatus"`
	FullStruAfterRestoreProgress                  Int    `json:"FullStruAfterRestoreProgress"`
	CrossRoleName                                 String `json:"CrossRoleName"`
	RestoreDir                                    String `json:"RestoreDir"`
	CrossAliyunID                                 String `json:"CrossAliyunId"`
	RestoreObjects                                String `json:"RestoreObjects"`
	BackupPlanID                                  String `json:"BackupPlanId"`
	DestinationEndpointRegion                     String `json:"DestinationEndpointRegion"`
	RestoreTaskCreateTime                         Int    `json:"RestoreTaskCreateTime"`
	DestinationEndpointUserName                   String `json:"DestinationEndpointUserName"`
	RestoreTaskFinishTime                         Int    `json:"RestoreTaskFinishTime"`
	DestinationEndpointIPPort                     String `json:"DestinationEndpointIpPort"`
	DestinationEndpointDatabaseName               String `json:"DestinationEndpointDatabaseName"`
	DestinationEndpointInstanceType               String `json:"DestinationEndpointInstanceType"`
	DestinationEndpointOracleSID                  String `json:"DestinationEndpointOracleSID"`
	FullStruforeRestoreProgress                   Int    `json:"FullStruforeRestoreProgress"`
	ErrMessage                                    String `json:"ErrMessage"`
	RestoreTaskID                                 String `json:"RestoreTaskId"`
	FullDataRestoreProgress                       Int    `json:"FullDataRestoreProgress"`
	ContinuousRestoreProgress                     Int    `json:"ContinuousRestoreProgress"`
	DestinationEndpointInstanceID                 String `json:"DestinationEndpointInstanceID"`
	BackupSetID                                   String `json:"BackupSetId"`
	BackupGatewayID                               Int    `json:"BackupGatewayId"`
	RestoreTaskName                               String `json:"RestoreTaskName"`
	RestoreTime                                   Int    `json:"RestoreTime"`
	DestinationEndpointHost                       String `json:"DestinationEndpointHost"`
	DestinationEndpointPort                       String `json:"DestinationEndpointPort"`
	DestinationEndpointEnableSsl                  String `json:"DestinationEndpointEnableSsl"`
	BackupGatewayIdentifier                       String `json:"BackupGatewayIdentifier"`
	BackupSourceOssRegion                         String `json:"BackupSourceOssRegion"`
	RestoreDestinationMode                        String `json:"RestoreDestinationMode"`
	PhysicalFullBackupRecoverProgress             Int    `json:"PhysicalFullBackupRecoverProgress"`
	PhysicalFullAndIncrementBackupRecoverProgress Int    `json:"PhysicalFullAndIncrementBackupRecoverProgress"`
	PhysicalIncrementBackupRecoverProgress        Int    `json:"PhysicalIncrementBackupRecoverProgress"`
	PhysicalDatabaseOnlineProgress                Int    `json:"PhysicalDatabaseOnlineProgress"`
	PhysicalBackupRecoverProgress                 Int    `json:"PhysicalBackupRecoverProgress"`
}

// Kind is the JSON type of a RestoreTaskDetail field.
type Kind uint8

const (
	KindString Kind = iota
	KindInteger
)

// Field describes one RestoreTaskDetail field, so that code which must treat every field alike (state
// building, output files, tests) walks one table instead of naming 36 fields again.
type Field struct {
	Name string // the API's name, as in the JSON body
	Kind Kind
	str  func(*RestoreTask) *String
	num  func(*RestoreTask) *Int
}

// StringOf returns the field's value in t; only for KindString fields.
func (f Field) StringOf(t *RestoreTask) String { return *f.str(t) }

// IntOf returns the field's value in t; only for KindInteger fields.
func (f Field) IntOf(t *RestoreTask) Int { return *f.num(t) }

// SetString sets the field in t; only for KindString fields (used to build test data).
func (f Field) SetString(t *RestoreTask, v String) { *f.str(t) = v }

// SetInt sets the field in t; only for KindInteger fields (used to build test data).
func (f Field) SetInt(t *RestoreTask, v Int) { *f.num(t) = v }

// stringField and intField make the entry of Fields for a string or an integer field.
func stringField(name string, get func(*RestoreTask) *String) Field {
	return Field{Name: name, Kind: KindString, str: get}
}

func intField(name string, get func(*RestoreTask) *Int) Field {
	return Field{Name: name, Kind: KindInteger, num: get}
}

// Fields lists every RestoreTaskDetail field in the reference's order.
var Fields = []Field{
	stringField("RestoreStatus", func(t *RestoreTask) *String { return &t.RestoreStatus }),
	intField("FullStruAfterRestoreProgress", func(t *RestoreTask) *Int { return &t.FullStruAfterRestoreProgress }),
	stringField("CrossRoleName", func(t *RestoreTask) *String { return &t.CrossRoleName }),
	stringField("RestoreDir", func(t *RestoreTask) *String { return &t.RestoreDir }),
	stringField("CrossAliyunId", func(t *RestoreTask) *String { return &t.CrossAliyunID }),
	stringField("RestoreObjects", func(t *RestoreTask) *String { return &t.RestoreObjects }),
	stringField("BackupPlanId", func(t *RestoreTask) *String { return &t.BackupPlanID }),
	stringField("DestinationEndpointRegion", func(t *RestoreTask) *String { return &t.DestinationEndpointRegion }),
	intField("RestoreTaskCreateTime", func(t *RestoreTask) *Int { return &t.RestoreTaskCreateTime }),
	stringField("DestinationEndpointUserName", func(t *RestoreTask) *String { return &t.DestinationEndpointUserName }),
	intField("RestoreTaskFinishTime", func(t *RestoreTask) *Int { return &t.RestoreTaskFinishTime }),
	stringField("DestinationEndpointIpPort", func(t *RestoreTask) *String { return &t.DestinationEndpointIPPort }),
	stringField("DestinationEndpointDatabaseName", func(t *RestoreTask) *String { return &t.DestinationEndpointDatabaseName }),
	stringField("DestinationEndpointInstanceType", func(t *RestoreTask) *String { return &t.DestinationEndpointInstanceType }),
	stringField("DestinationEndpointOracleSID", func(t *RestoreTask) *String { return &t.DestinationEndpointOracleSID }),
	intField("FullStruforeRestoreProgress", func(t *RestoreTask) *Int { return &t.FullStruforeRestoreProgress }),
	stringField("ErrMessage", func(t *RestoreTask) *String { return &t.ErrMessage }),
	stringField("RestoreTaskId", func(t *RestoreTask) *String { return &t.RestoreTaskID }),
	intField("FullDataRestoreProgress", func(t *RestoreTask) *Int { return &t.FullDataRestoreProgress }),
	intField("ContinuousRestoreProgress", func(t *RestoreTask) *Int { return &t.ContinuousRestoreProgress }),
	stringField("DestinationEndpointInstanceID", func(t *RestoreTask) *String { return &t.DestinationEndpointInstanceID }),
	stringField("BackupSetId", func(t *RestoreTask) *String { return &t.BackupSetID }),
	intField("BackupGatewayId", func(t *RestoreTask) *Int { return &t.BackupGatewayID }),
	stringField("RestoreTaskName", func(t *RestoreTask) *String { return &t.RestoreTaskName }),
	intField("RestoreTime", func(t *RestoreTask) *Int { return &t.RestoreTime }),
	stringField("DestinationEndpointHost", func(t *RestoreTask) *String { return &t.DestinationEndpointHost }),
	stringField("DestinationEndpointPort", func(t *RestoreTask) *String { return &t.DestinationEndpointPort }),
	stringField("DestinationEndpointEnableSsl", func(t *RestoreTask) *String { return &t.DestinationEndpointEnableSsl }),
	stringField("BackupGatewayIdentifier", func(t *RestoreTask) *String { return &t.BackupGatewayIdentifier }),
	stringField("BackupSourceOssRegion", func(t *RestoreTask) *String { return &t.BackupSourceOssRegion }),
	stringField("RestoreDestinationMode", func(t *RestoreTask) *String { return &t.RestoreDestinationMode }),
	intField("PhysicalFullBackupRecoverProgress", func(t *RestoreTask) *Int { return &t.PhysicalFullBackupRecoverProgress }),
	intField("PhysicalFullAndIncrementBackupRecoverProgress", func(t *RestoreTask) *Int { return &t.PhysicalFullAndIncrementBackupRecoverProgress }),
	intField("PhysicalIncrementBackupRecoverProgress", func(t *RestoreTask) *Int { return &t.PhysicalIncrementBackupRecoverProgress }),
	intField("PhysicalDatabaseOnlineProgress", func(t *RestoreTask) *Int { return &t.PhysicalDatabaseOnlineProgress }),
	intField("PhysicalBackupRecoverProgress", func(t *RestoreTask) *Int { return &t.PhysicalBackupRecoverProgress }),
}
