{{ section_fact('review') }}
