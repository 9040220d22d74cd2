"""The organisation: teams, their members on shifts, and the seam hand-offs go through."""
