explain --member carol@example.com --permission read explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
explain --member carol@example.com --permission read $OUT/cases.kkpt
