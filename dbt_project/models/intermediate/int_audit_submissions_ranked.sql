-- Every submission with its rank among the submissions for the same audit (child and review):
-- the latest completion wins; a later ingest, then a later row, breaks a tie.
with

submissions as (
    select * from {{ ref('stg_audit__submissions') }}
),

ranked as (
    select
        submission_key,
        submission_id,
        audit_id,
        la_code,
        child_pseudonym,
        iro_pseudonym,
        review_date,
        completed_at,
        started_at,
        response_pseudonym,
        district_code,
        form_version,
        source_file,
        file_sha256,
        source_row,
        ingested_at,
        row_number() over (
            partition by audit_id
            order by completed_at desc, ingested_at desc, file_sha256 desc, source_row desc
        ) as submission_rank,
        count(*) over (partition by audit_id) as submission_count
    from submissions
)

select
    *,
    submission_rank = 1 as is_current_submission
from ranked
