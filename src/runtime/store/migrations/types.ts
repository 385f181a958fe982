/** The two databases the store runs on; a migration may differ per dialect (types, indexes). */
export type StoreDialect = 'sqlite' | 'postgres';
