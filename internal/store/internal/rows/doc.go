// Package rows holds what the store backends share: the encoding of values
// into columns, the reduction of a batch to the rows it writes, and the map
// fix marker. It is internal to store.
package rows
