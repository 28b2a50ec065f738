compile -o $OUT/t.kkpt role-cycle.kkp
