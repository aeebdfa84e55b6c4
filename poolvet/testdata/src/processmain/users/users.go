// Package users has no workers; its external tests use thumbs.
package users
