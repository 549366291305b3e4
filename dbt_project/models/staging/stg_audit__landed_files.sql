with

source as (
    select * from {{ source('audit', 'landed_files') }}
),

renamed as (
    select
        la_code,
        file_sha256,
        source_file,
        form_version,
        file_format,
        encoding,
        sheet_name,
        header_row,
        rows_read,
        rows_loaded,
        rows_rejected,
        archive_path,
        ingested_at,
        is_current,
        replaced_at
    from source
)

select * from renamed
