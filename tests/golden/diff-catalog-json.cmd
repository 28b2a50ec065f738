diff --format json diff/catalog-old.kkp -- diff/catalog-new.kkp
