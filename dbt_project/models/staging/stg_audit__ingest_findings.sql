with

source as (
    select * from {{ source('audit', 'ingest_findings') }}
),

renamed as (
    select
        la_code,
        source_file,
        file_sha256,
        source_row,
        column_header,
        question_id,
        offending_value,
        severity,
        reason,
        ingested_at
    from source
)

select * from renamed
