matrix --format html explain/cases.kkp
