"""The letter models: the 28x28 CNN (model, inference), the landmark model (landmarks) and the LetterModel protocol
that lets the pipeline fuse any number of them (letter_models). No Qt here."""
