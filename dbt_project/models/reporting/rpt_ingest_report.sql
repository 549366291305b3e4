-- The ingest report (publish/internal/ingest_report.csv): one row per finding about the
-- landed files, with where it is (file, row, column), the offending value (a pseudonym where
-- it is an identifier), its severity and a plain-English reason. Internal only: it points at
-- rows of files about children.
with

findings as (
    select * from {{ ref('fct_ingest_findings') }}
),

final as (
    select
        source_file,
        source_row,
        column_header,
        severity,
        reason,
        offending_value,
        question_id,
        finding_source,
        la_code,
        file_sha256,
        ingested_at
    from findings
)

select * from final
