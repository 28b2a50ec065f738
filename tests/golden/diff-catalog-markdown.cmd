diff --format markdown diff/catalog-old.kkp -- diff/catalog-new.kkp
