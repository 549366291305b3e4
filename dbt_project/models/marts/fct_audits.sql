-- One row per audit (child and CLA review), the latest submission only: who, when, where,
-- the form version it was on, and where it came from.
with

audits as (
    select * from {{ ref('int_audits_deduplicated') }}
),

age_bands as (
    select
        submission_id,
        rolled_up_code as age_band
    from {{ ref('int_answers_rolled_up') }}
    where question_id = 'age_band' and answer_status = 'answered'
),

final as (
    select
        audits.audit_id,
        audits.la_code,
        audits.time_period,
        audits.time_identifier,
        audits.completion_month,
        audits.completed_at,
        audits.review_date,
        audits.child_pseudonym,
        audits.iro_pseudonym,
        audits.district_code,
        age_bands.age_band,
        audits.form_version,
        audits.submission_count,
        audits.submission_id,
        audits.source_file,
        audits.file_sha256,
        audits.source_row
    from audits
    left join age_bands on audits.submission_id = age_bands.submission_id
)

select * from final
