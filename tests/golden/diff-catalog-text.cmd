diff --format text diff/catalog-old.kkp -- diff/catalog-new.kkp
