-- A district passes only as a code of the authority's reference data (ingest stores nothing
-- else; the join keeps it so whatever raw holds): no text typed in the cell goes further.
with

source as (
    select * from {{ source('audit', 'submissions') }}
),

districts as (
    select
        la_code,
        code
    from {{ ref('districts') }}
),

renamed as (
    select
        source.submission_key,
        {{ submission_id('source.file_sha256', 'source.source_row') }} as submission_id,
        md5(
            concat_ws('|', source.la_code, source.child_id, cast(source.review_date as varchar))
        ) as audit_id,
        source.la_code,
        source.child_id as child_pseudonym,
        source.iro_email as iro_pseudonym,
        source.review_date,
        source.completed_at,
        source.started_at,
        source.response_id as response_pseudonym,
        districts.code as district_code,
        source.form_version,
        source.source_file,
        source.file_sha256,
        source.source_row,
        source.ingested_at
    from source
    left join districts
        on
            source.la_code = districts.la_code
            and source.district = districts.code
)

select * from renamed
