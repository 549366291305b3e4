with

source as (
    select * from {{ source('audit', 'submissions') }}
),

renamed as (
    select
        {{ submission_id('file_sha256', 'source_row') }} as submission_id,
        md5(concat_ws('|', la_code, child_id, cast(review_date as varchar))) as audit_id,
        la_code,
        child_id as child_pseudonym,
        iro_email as iro_pseudonym,
        review_date,
        completed_at,
        started_at,
        response_id,
        district,
        form_version,
        source_file,
        file_sha256,
        source_row,
        ingested_at
    from source
)

select * from renamed
