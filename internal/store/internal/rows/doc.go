// Package rows holds what the store backends share: the encoding of values
// into columns, the binary chunk of a flight's fixes (ChunkEncoder,
// DecodeChunk), the selection of a batch's fixes not yet stored
// (NewFixes), the reduction of a batch to the rows it writes, and the map
// fix marker. It is internal to store.
package rows
