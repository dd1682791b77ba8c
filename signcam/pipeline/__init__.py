"""The recognition pipeline, in the order data flows: sources -> locate -> preprocess -> (models) -> fusion ->
smoothing, put together by builder from the recognition config. No Qt here."""
