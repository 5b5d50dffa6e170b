/** The date src/catalogue/model-catalogue.json was generated (written by scripts/refresh-model-catalogue.mjs). */
export const modelCatalogueAsOf = '2026-12-04';
