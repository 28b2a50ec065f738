explain --role drafter explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
explain --role drafter $OUT/cases.kkpt
