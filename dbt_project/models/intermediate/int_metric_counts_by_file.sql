{{ config(
    materialized='incremental',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_changed_files() }}",
) }}
-- What the submissions that count add to each metric, per landed file, authority, period and
-- breakdown category (age band, district): the contributions of int_metric_contributions_by_audit
-- summed once per file. int_metric_values_computed and fct_metric_breakdowns add these small
-- rows up, so a monthly refresh sums only the files it changed (new ones, and older ones a
-- resubmission in them superseded), not the whole history. A file is on one form version,
-- kept so that the per-period sums leave out the files whose form could not record a metric
-- (int_metric_availability) per file, not per answer. Grain: file x la_code x period x metric
-- x age band x district (its reference code).
with

file_fingerprints as (
    {{ counted_file_fingerprints() }}
),

changed_files as (
    select
        file_sha256,
        file_fingerprint
    from file_fingerprints
    {% if this is not none and is_incremental() -%}
        where file_sha256 not in (select distinct file_sha256 from {{ this }})
    {%- endif %}
),

audits as (
    select
        submission_key,
        file_sha256,
        la_code,
        time_period,
        time_identifier,
        age_band,
        district_code,
        form_version
    from {{ ref('int_audits_deduplicated') }}
    where file_sha256 in (select changed_files.file_sha256 from changed_files)
),

contributions as (
    select
        submission_key,
        metric_id,
        numerator_units,
        denominator_units,
        is_missing
    from {{ ref('int_metric_contributions_by_audit') }}
    where file_sha256 in (select changed_files.file_sha256 from changed_files)
),

counted as (
    select
        audits.file_sha256,
        audits.la_code,
        audits.time_period,
        audits.time_identifier,
        audits.form_version,
        contributions.metric_id,
        audits.age_band,
        audits.district_code,
        sum(contributions.numerator_units) as numerator,
        sum(contributions.denominator_units) as denominator,
        count(*) filter (where contributions.is_missing) as missing_answers
    from contributions
    inner join audits on contributions.submission_key = audits.submission_key
    group by all
)

select
    counted.*,
    changed_files.file_fingerprint
from counted
inner join changed_files on counted.file_sha256 = changed_files.file_sha256
