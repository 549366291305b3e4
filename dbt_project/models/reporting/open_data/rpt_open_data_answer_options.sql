-- Every answer option of the catalogue with the form versions that offer it (its
-- since_version to its until_version, by the order of form_versions): disclosure control knows
-- from them which remainders the audits of a period's forms cannot be in, and which codes a
-- metric's counts are made of. Grain: question x answer code.
with

versions as (
    select
        form_version,
        rank() over (order by first_used) as version_rank
    from {{ ref('form_versions') }}
),

options as (
    select * from {{ ref('form_answer_options') }}
),

offered as (
    select
        options.question_id,
        options.answer_code,
        options.rolls_up_to,
        options.excluded_from_answered,
        list(versions.form_version order by versions.version_rank) filter (
            where versions.version_rank between coalesce(first_version.version_rank, 0)
            and coalesce(last_version.version_rank, 1000)
        ) as offered_on_form_versions
    from options
    cross join versions
    left join versions as first_version on options.since_version = first_version.form_version
    left join versions as last_version on options.until_version = last_version.form_version
    group by all
)

select * from offered
