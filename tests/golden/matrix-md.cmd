matrix explain/cases.kkp
matrix --roles explain/cases.kkp
matrix --format csv explain/cases.kkp
matrix --format csv --roles explain/cases.kkp
compile --provenance -o $OUT/cases.kkpt explain/cases.kkp
matrix $OUT/cases.kkpt
compile -o $OUT/plain.kkpt explain/cases.kkp
matrix $OUT/plain.kkpt
matrix --format xml explain/cases.kkp
