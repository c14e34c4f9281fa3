//! Partitioning a layer over a tiled array of nodes (search-model §2-3):
//! node regions, partition schemes, fmap ranges, data layouts, NoC hops.
