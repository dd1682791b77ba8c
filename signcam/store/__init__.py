"""What is kept on disk: weights files (safetensors, validated before use), atomic writes, the user's weights and
samples, and where the bundled assets live. No Qt here."""
