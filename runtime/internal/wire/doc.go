// Package wire is what remote execution sends: values, messages and frames.
// DRAFT: the package comment is completed below.
package wire
