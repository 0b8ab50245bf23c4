"""The Google boundary: the only code that imports googleapiclient and google-auth."""
