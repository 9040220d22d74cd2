"""Operations flows, one module each."""
